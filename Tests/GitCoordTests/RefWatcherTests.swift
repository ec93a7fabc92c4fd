import CoordTestSupport
import Foundation
import GitCoordCore
import Testing

/// `RefWatcher` against the real git CLI: loose refs written by lock and rename, folders made and removed,
/// `git pack-refs`, and refs outside refs/coord (which it must not report).
@Suite struct RefWatcherTests {
    /// The changes that arrive within `seconds` (empty when none did).
    func changes(_ watcher: RefWatcher, within seconds: Double = 1) throws -> RefChanges {
        var fds = [pollfd(fd: watcher.descriptor, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 1, Int32(seconds * 1000))
        usleep(20_000)  // the rest of a burst (git writes a lock, then renames it)
        return try watcher.changes()
    }

    @Test func looseRefsPackedRefsAndNewFoldersAreSeenAndOtherRefsAreNot() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let head = try scratch.git("rev-parse", "HEAD")
        let watcher = try RefWatcher(commonDir: scratch.repo + "/.git")
        #expect(try watcher.changes().isEmpty)

        try scratch.git("update-ref", "refs/heads/elsewhere", head)
        #expect(try changes(watcher, within: 0.3).refs.isEmpty, "a branch is not a coordination ref")

        // A ref in folders that did not exist: the folders are watched from then on, and the ref is reported.
        try scratch.git("update-ref", "refs/coord/v1/log/aaaa", head)
        let created = try changes(watcher)
        #expect(created.refs.contains("refs/coord/v1/log/aaaa") || created.mayTouch("refs/coord/v1/log/"), "\(created)")
        try scratch.git("update-ref", "refs/coord/v1/log/bbbb", head)
        #expect(try changes(watcher).refs == ["refs/coord/v1/log/bbbb"])

        // Packing moves them into packed-refs and deletes the loose files and their folders.
        try scratch.git("pack-refs", "--all")
        let packed = try changes(watcher)
        #expect(packed.packedRefs && packed.mayTouch("refs/coord/v1/log/"), "\(packed)")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.git/refs/coord/v1/log"))
        // Written again, loose, in a folder made anew.
        try scratch.git("update-ref", "refs/coord/v1/log/aaaa", try scratch.git("commit-tree", "-m", "x", "\(head)^{tree}"))
        #expect(try changes(watcher).mayTouch("refs/coord/v1/log/aaaa"))
        try scratch.git("update-ref", "-d", "refs/coord/v1/log/aaaa")
        #expect(try changes(watcher).mayTouch("refs/coord/v1/log/"))
        // And what libgit2 writes through git-coord (lock, then rename) the same way.
        let id = try scratch.coordOK("start", "--name", "alice")
        #expect(try changes(watcher).refs.contains("refs/coord/v1/sessions/\(id)"))
    }
}
