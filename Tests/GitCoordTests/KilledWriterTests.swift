import CoordTestSupport
import Foundation
import Testing

/// A writer killed while it held a ref's lock blocks nobody: its lock is known to be dead and removed at once.
/// A lock that may be a live process's is left alone, a hook gives up on it fast, and however long a write
/// retries it leaves a bounded number of objects behind.
@Suite struct KilledWriterTests {
    /// What a git-coord writer killed inside libgit2's ref update leaves: its side lock released by the kernel
    /// with its marker still in it, and `<ref>.lock`. Made by a real process that takes the side lock with flock(1),
    /// marks it as git-coord does (docs/design.md, "Killed writers"), takes the ref lock, and is killed (SIGKILL).
    static func killWriter(holding ref: String, in scratch: Scratch) throws -> String {
        let side = sideLockPath(scratch, for: ref)
        let lock = scratch.repo + "/.git/" + ref + ".lock"
        for path in [side, lock] {  // libgit2 makes the ref's folder before it locks; the test does it for the shell
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        let killed = try runProcess("/usr/bin/flock", [side, "/bin/sh", "-c", "printf '%s %s\\n' $$ \"$0\" > \"$1\" && : > \"$2\" && kill -9 $$",
                                                       ref, side, lock], in: scratch.repo, environment: scratch.environment)
        #expect(killed.status != 0, "the writer was killed: \(killed)")
        #expect(FileManager.default.fileExists(atPath: lock))
        return lock
    }

    @Test func aLockLeftByAKilledWriterIsRemovedAtOnce() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice")
        let lock = try Self.killWriter(holding: "refs/coord/v1/log/\(alice)", in: scratch)

        let start = monotonic()
        let note = try scratch.coord(["note", "--session", "alice", "after the kill"])
        let elapsed = monotonic() - start
        #expect(note.status == 0 && note.stderr.isEmpty, "\(note)")
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(try scratch.coordOK("feed").contains("after the kill"))
        print("note after a killed writer's lock: \(String(format: "%.3f", elapsed)) s (the age rule alone waited 10 s, then failed)")

        // A session's presence ref, from a git hook: the commit's post-commit refresh gets through at once too.
        let presence = try Self.killWriter(holding: "refs/coord/v1/sessions/\(alice)", in: scratch)
        let task = try scratch.coord(["task", "--session", "alice", "a new task"])
        #expect(task.status == 0 && !FileManager.default.fileExists(atPath: presence), "\(task)")
        let doctor = try scratch.coord(["doctor"])
        #expect(doctor.status == 0 && doctor.stdout.isEmpty, "\(doctor)")
    }

    @Test func doctorNamesAKilledWritersLockAndRemovesIt() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice")
        let lock = try Self.killWriter(holding: "refs/coord/v1/cursors/\(alice)", in: scratch)
        let doctor = try scratch.coord(["doctor"])
        #expect(doctor.status == 1 && doctor.stdout.contains("\(lock): stale-lock: left by a git-coord process killed"), "\(doctor)")
        let fixed = try scratch.coord(["doctor", "--fix"])
        #expect(fixed.status == 0 && fixed.stdout.hasPrefix("removed \(lock)"), "\(fixed)")
        #expect(!FileManager.default.fileExists(atPath: lock))
    }

    /// While a live git-coord writer holds the side lock, its ref lock is its own: waited for, never removed.
    @Test func aLiveWritersLockIsWaitedFor() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice")
        let ref = "refs/coord/v1/log/\(alice)"
        let side = sideLockPath(scratch, for: ref)
        let lock = scratch.repo + "/.git/" + ref + ".lock"
        for path in [side, lock] {  // libgit2 makes the ref's folder before it locks; the test does it for the shell
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        // A writer that holds both for 1.5 s, then finishes as libgit2 and git-coord do (lock gone, marker cleared).
        let holder = try Background([side, "/bin/sh", "-c", "printf '%s %s\\n' $$ \"$0\" > \"$1\" && : > \"$2\" && sleep 1.5 && rm \"$2\" && : > \"$1\"",
                                     ref, side, lock], in: scratch.repo, environment: scratch.environment, executable: "/usr/bin/flock")
        defer { _ = holder.wait() }
        let held = monotonic()
        while !FileManager.default.fileExists(atPath: lock) && monotonic() - held < 5 { usleep(10_000) }
        let writer = try Background(["note", "--session", "alice", "waited"], in: scratch.repo, environment: scratch.environment)
        usleep(500_000)
        #expect(FileManager.default.fileExists(atPath: lock), "a live writer's lock is never removed")
        #expect(writer.isRunning, "the writer waits for it")
        let (result, _) = writer.wait()
        #expect(result.status == 0 && result.stderr.isEmpty, "and then writes: \(result)")
        #expect(try scratch.coordOK("feed").contains("waited"))
    }

    /// A young lock with no git-coord owner may be a git command's (git gc packs refs under their locks): it is
    /// left alone. A hook gives up on it within its short budget, with one warning line, having written one
    /// record's objects at most; once the lock is older than any live writer keeps one, a command removes it.
    @Test func aLockOfUnknownOwnerIsLeftAloneAndHooksGiveUpFast() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        _ = try scratch.hook("claude", "SessionStart", session: "agent-1")
        let sessions = try scratch.listedSessions()
        let id = try #require(sessions.first?["id"] as? String)
        let lock = scratch.repo + "/.git/refs/coord/v1/sessions/\(id).lock"
        FileManager.default.createFile(atPath: lock, contents: nil)
        let before = try scratch.unreachableObjects()

        let start = monotonic()
        let edit = try scratch.hook("claude", "PostToolUse-Write", session: "agent-1", values: ["FILE": scratch.repo + "/README.md"])
        let elapsed = monotonic() - start
        let lines = edit.result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("\(lock) is locked by another process"), "\(edit.result)")
        #expect(FileManager.default.fileExists(atPath: lock), "a lock that may be in use is not removed")
        let written = try scratch.unreachableObjects() - before
        #expect(written <= 3, "one blob, tree and commit however often it retried; wrote \(written)")
        print("agent hook against a lock of unknown owner: gave up after \(String(format: "%.2f", elapsed)) s, \(written) objects left")

        let age = try runProcess("/usr/bin/touch", ["-d", "1 minute ago", lock], in: scratch.repo, environment: scratch.environment)
        #expect(age.succeeded)
        let task = try scratch.coord(["task", "--session", id, "after the lock"])
        #expect(task.status == 0 && task.stderr.isEmpty, "\(task)")
        #expect(!FileManager.default.fileExists(atPath: lock))
    }
}
