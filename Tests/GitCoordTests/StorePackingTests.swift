import CoordTestSupport
import Foundation
import Testing

/// git-coord packs its own loose objects (docs/design.md, "Keeping the store compact"): in the background while
/// sessions write, never losing an object a writer needs, never touching the user's objects, and recovering from a
/// packer that was killed.
@Suite struct StorePackingTests {
    typealias Team = MessagingTests.Team

    struct Objects {
        var loose: [String] = []
        var packs: [String] = []
    }

    static func objects(_ scratch: Scratch) -> Objects {
        let folder = scratch.repo + "/.git/objects"
        var found = Objects()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.count == 2 {
            found.loose += ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + name)) ?? []).map { name + $0 }
        }
        found.packs = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/pack")) ?? []).filter { $0.hasSuffix(".pack") }
        return found
    }

    /// Waits until no packer holds the lock and the object folder stops changing.
    static func waitForPacking(_ scratch: Scratch) {
        var last = -1
        for _ in 0..<100 {
            Thread.sleep(forTimeInterval: 0.1)
            let now = objects(scratch)
            let count = now.loose.count * 1000 + now.packs.count
            if count == last && packerIdle(scratch) { return }
            last = count
        }
    }

    /// Whether the packer's lock is free (flock: a killed packer holds nothing).
    static func packerIdle(_ scratch: Scratch) -> Bool {
        let fd = open(scratch.repo + "/.git/coord/pack.lock", O_RDWR)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        flock(fd, LOCK_UN)
        return true
    }

    static func fsck(_ scratch: Scratch) throws -> ProcessResult {
        try runProcess("/usr/bin/git", ["fsck", "--full", "--no-dangling", "--no-progress"], in: scratch.repo, environment: scratch.environment)
    }

    @Test func writersPackWhatTheyWroteInTheBackground() throws {
        let team = try Team(["alice", "bob"])
        try team.scratch.git("config", "coord.autoPack", "20")
        let userBlob = try runProcess("/usr/bin/git", ["hash-object", "-w", "--stdin"], in: team.scratch.repo,
                                      environment: team.scratch.environment, stdin: Data("the user's own object\n".utf8)).output
        for index in 0..<120 { try team.ok("alice", "note", "note \(index)") }
        Self.waitForPacking(team.scratch)
        let objects = Self.objects(team.scratch)
        #expect(!objects.packs.isEmpty)
        #expect(objects.packs.count <= 4, "git-coord folds its packs: \(objects.packs)")
        // At most what was written since the last packing (three objects a record), plus the user's own.
        #expect(objects.loose.count <= 3 * 20 + 10, "\(objects.loose.count) loose objects")
        #expect(objects.loose.contains(userBlob), "the user's loose objects are left alone")
        let fsck = try Self.fsck(team.scratch)
        #expect(fsck.succeeded && fsck.stdout.isEmpty, "\(fsck)")
        #expect(try team.inboxTexts("bob").count == 120)
        #expect(try team.ok("bob", "feed", "--limit", "0").split(separator: "\n").count == 120)
        // git's own gc finds nothing to complain about, and git-coord reads everything after it.
        let gc = try runProcess("/usr/bin/git", ["gc", "--auto"], in: team.scratch.repo, environment: team.scratch.environment)
        #expect(gc.succeeded && gc.stderr.isEmpty, "\(gc)")
        try team.scratch.git("gc", "-q")
        #expect(try team.ok("bob", "feed", "--limit", "0").split(separator: "\n").count == 120)
    }

    @Test func packingWhileSessionsWriteLosesNothing() throws {
        let names = ["w0", "w1", "w2", "w3", "reader"]
        let team = try Team(names)
        try team.scratch.git("config", "coord.autoPack", "7")
        let perWriter = 40
        // Four writers at once, each a process per note, while the packers they start (and a person's gc) run.
        var writers: [Process] = []
        for name in names.dropLast() {
            let script = "for i in $(seq 1 \(perWriter)); do git-coord note \"\(name) $i\" || exit 1; done"
            var env = team.scratch.environment
            env["GIT_COORD_SESSION"] = team.ids[name]!
            writers.append(try launch("/bin/sh", ["-c", script], in: team.dirs[name]!, env: env))
        }
        for _ in 0..<5 {
            try team.scratch.coordOK("gc")
            Thread.sleep(forTimeInterval: 0.2)
        }
        for writer in writers {
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
        }
        Self.waitForPacking(team.scratch)
        let fsck = try Self.fsck(team.scratch)
        #expect(fsck.succeeded && fsck.stdout.isEmpty, "\(fsck)")
        let texts = try team.inboxTexts("reader")
        #expect(texts.count == 4 * perWriter)
        #expect(Set(texts).count == texts.count, "each note once")
        for name in names.dropLast() {
            let own = texts.filter { $0.hasPrefix(name + " ") }
            #expect(own == (1...perWriter).map { "\(name) \($0)" }, "\(name)'s notes, in order")
        }
        #expect(try team.inboxTexts("reader") == [])
    }

    @Test func aKilledPackersLeftoversAreCleanedUp() throws {
        let team = try Team(["alice", "bob"])
        try team.scratch.git("config", "coord.autoPack", "0")
        for index in 0..<30 { try team.ok("alice", "note", "note \(index)") }
        let before = Self.objects(team.scratch)
        #expect(before.packs.isEmpty && before.loose.count >= 90)
        // A packer killed after writing its pack, before deleting the loose copies: the pack is there (written here
        // by git itself), and so is every loose object.
        let list = try team.scratch.git("rev-list", "--objects", "--all").split(separator: "\n").map { String($0.prefix(40)) }
        let packed = try runProcess("/usr/bin/git", ["pack-objects", "-q", ".git/objects/pack/pack"], in: team.scratch.repo,
                                    environment: team.scratch.environment, stdin: Data((list.joined(separator: "\n") + "\n").utf8))
        #expect(packed.succeeded, "\(packed)")
        // And one killed while writing, an hour ago.
        let temporary = team.scratch.repo + "/.git/objects/pack/pack_git2_0123456789abcdef"
        FileManager.default.createFile(atPath: temporary, contents: Data("half a pack".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: temporary)
        let fresh = team.scratch.repo + "/.git/objects/pack/pack_git2_fedcba9876543210"
        FileManager.default.createFile(atPath: fresh, contents: Data("being written".utf8))

        try team.scratch.coordOK("gc")
        let after = Self.objects(team.scratch)
        #expect(after.loose.count < 10, "the loose copies of packed records are gone: \(after.loose.count) left")
        #expect(!FileManager.default.fileExists(atPath: temporary), "a killed packer's temporary file goes after an hour")
        #expect(FileManager.default.fileExists(atPath: fresh), "a younger one may belong to a packer at work")
        let fsck = try Self.fsck(team.scratch)
        #expect(fsck.succeeded && fsck.stdout.isEmpty, "\(fsck)")
        #expect(try team.inboxTexts("bob").count == 30)
    }

    @Test func aPackerKilledWhileDeletingLooseCopiesLeavesTheRestToTheNext() throws {
        let team = try Team(["alice", "bob"])
        try team.scratch.git("config", "coord.autoPack", "0")
        for index in 0..<30 { try team.ok("alice", "note", "note \(index)") }
        let before = Self.objects(team.scratch).loose.count
        // Killed by the kernel at its 50th unlink, once its pack is in place: among the deletions of the loose copies
        // of what the pack holds (before them: the counter, and libgit2's lock and temporary file of the pack).
        let killed = try runProcess("/usr/bin/strace", ["-f", "-qq", "-o", "/dev/null", "-e", "trace=unlink",
                                                        "-e", "inject=unlink:signal=SIGKILL:when=50", coordBinary, "gc"],
                                    in: team.scratch.repo, environment: team.scratch.environment)
        #expect(!killed.succeeded, "\(killed)")
        let left = Self.objects(team.scratch)
        #expect(left.packs.count == 1 && left.loose.count > 20 && left.loose.count < before - 20,
                "killed among the deletions: \(left.loose.count) of \(before) loose objects left")
        try team.scratch.coordOK("gc")
        let after = Self.objects(team.scratch)
        #expect(after.loose.count < 10, "the next packer finds what the killed one left loose: \(after.loose.count) left")
        let fsck = try Self.fsck(team.scratch)
        #expect(fsck.succeeded && fsck.stdout.isEmpty, "\(fsck)")
        #expect(try team.inboxTexts("bob").count == 30)
    }
}
