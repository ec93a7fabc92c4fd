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

    /// A killed writer's lock on a ref nobody writes again (the name of a start that was killed) would stay for ever:
    /// gc removes it, as `doctor --fix` would; a lock whose owner may be alive stays.
    @Test func gcRemovesTheLocksOfKilledWriters() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alice")
        let lock = try Self.killWriter(holding: "refs/coord/v1/names/never-started", in: scratch)
        let young = scratch.repo + "/.git/refs/coord/v1/names/maybe-starting.lock"
        FileManager.default.createFile(atPath: young, contents: Data())
        let dry = try scratch.coord(["gc", "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("would drop refs/coord/v1/names/never-started.lock"), "\(dry)")
        #expect(FileManager.default.fileExists(atPath: lock))
        let gc = try scratch.coord(["gc", "-v"])
        #expect(gc.status == 0 && gc.stdout.contains("dropped refs/coord/v1/names/never-started.lock"), "\(gc)")
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(FileManager.default.fileExists(atPath: young), "a young lock of unknown owner may be a writer's at work")
        #expect(!gc.stdout.contains("maybe-starting"), "\(gc)")
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

extension KilledWriterTests {
    /// A note kept waiting a second by a lock (a git command's, say) retries some twenty times: it writes its
    /// record once, on the head it found, and lands that very commit when the lock goes.
    @Test func aWriteKeptWaitingWritesItsObjectsOnce() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice")
        try scratch.coordOK("note", "--session", "alice", "first")
        let lock = scratch.repo + "/.git/refs/coord/v1/log/\(alice).lock"
        FileManager.default.createFile(atPath: lock, contents: nil)
        let before = try scratch.unreachableObjects()
        let note = try Background(["note", "--session", "alice", "second"], in: scratch.repo, environment: scratch.environment)
        usleep(1_000_000)
        try FileManager.default.removeItem(atPath: lock)
        let (result, _) = note.wait()
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
        let left = try scratch.unreachableObjects() - before
        #expect(left == 0, "every attempt swapped in the same commit, which landed; \(left) objects were left behind")
        #expect(try scratch.coordOK("feed").contains("second"))
    }
}

/// A `start --name X` killed between reserving X and writing its session record leaves X held for a session that
/// does not exist. After the start grace (30 s), gc drops such holds and doctor names them; younger ones may be a
/// start still on its way, and stay.
@Suite struct OrphanNameTests {
    /// Kills `start --name NAME` the instant its name ref appears, before its session record is written.
    static func killStartAfterItsName(_ name: String, in scratch: Scratch) throws -> String? {
        let ref = scratch.repo + "/.git/refs/coord/v1/names/" + name
        let start = try Background(["start", "--name", name], in: scratch.repo, environment: scratch.environment)
        while start.isRunning && !FileManager.default.fileExists(atPath: ref) {}
        start.kill()
        let (_, killed) = start.wait()
        guard killed, FileManager.default.fileExists(atPath: ref) else { return nil }
        let holder = try parseJSON(scratch.git("cat-file", "blob", "refs/coord/v1/names/\(name):record.json"))["session"] as? String
        return try holder.flatMap { id in
            try scratch.git("for-each-ref", "refs/coord/v1/sessions/\(id)").isEmpty ? id : nil
        }
    }

    @Test func gcDropsNamesOfStartsThatNeverFinishedOnceTheGraceIsOver() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alive")
        var young: String?
        for attempt in 0..<20 where young == nil { young = try Self.killStartAfterItsName("young\(attempt)", in: scratch) }
        let youngName = try #require(try scratch.git("for-each-ref", "--format=%(refname:lstrip=4)", "refs/coord/v1/names/young*")
            .split(separator: "\n").map(String.init).first { name in
                (try? scratch.git("cat-file", "blob", "refs/coord/v1/names/\(name):record.json"))?.contains(young ?? "-") == true
            }, "a start killed between its name and its record")
        // The same, 60 s ago (past the grace): a name record for a session that never appeared.
        let past = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        try scratch.git("update-ref", "refs/coord/v1/names/old", try scratch.forgeRecord("{\"at\":\(past),\"session\":\"0badc0ffee00\"}"))

        let doctor = try scratch.coord(["doctor"])
        #expect(doctor.status == 1 && doctor.stdout.contains("refs/coord/v1/names/old: orphan-name: held for session 0badc0ffee00"),
                "\(doctor)")
        #expect(!doctor.stdout.contains(youngName), "a start may still be on its way: \(doctor)")
        let gc = try scratch.coord(["gc", "-v"])
        #expect(gc.status == 0 && gc.stdout.contains("dropped refs/coord/v1/names/old"), "\(gc)")
        let names = try scratch.git("for-each-ref", "--format=%(refname)", "refs/coord/v1/names/")
        #expect(!names.contains("names/old") && names.contains("names/\(youngName)") && names.contains("names/alive"), "\(names)")
        #expect(try scratch.coord(["doctor"]).status == 0)
        // The name is free again.
        #expect(try scratch.coord(["start", "--name", "old"]).status == 0)
    }
}
