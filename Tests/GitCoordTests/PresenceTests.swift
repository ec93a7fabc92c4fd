import CoordTestSupport
import Foundation
import Testing

@Suite struct PresenceTests {
    @Test func twoSessionsInTwoWorktreesSeeEachOther() throws {
        let (scratch, a, b, wtB) = try Scratch.twoSessions()
        for directory in [scratch.repo, wtB] {
            let sessions = try scratch.listedSessions(in: directory)
            let byName = Dictionary(uniqueKeysWithValues: sessions.map { ($0["name"] as! String, $0) })
            #expect(byName.count == 2)
            #expect(byName["A"]?["id"] as? String == a)
            #expect(byName["A"]?["branch"] as? String == "main")
            #expect(byName["A"]?["task"] as? String == "Restyle the sidebar")
            #expect(byName["A"]?["worktree"] as? String == scratch.repo)
            #expect(byName["B"]?["id"] as? String == b)
            #expect(byName["B"]?["branch"] as? String == "feature-b")
            #expect(byName["B"]?["worktree"] as? String == wtB)
        }
        let text = try scratch.coordOK("list", in: wtB)
        #expect(text.contains("A  main"))
        #expect(text.contains("task: Move settings"))
    }

    @Test func linkedWorktreeAndMainCheckoutSeeIdenticalState() throws {
        let (scratch, _, _, wtB) = try Scratch.twoSessions()
        // Age and "seconds ago" fields may tick between the two calls: compare everything else.
        func stable(_ directory: String) throws -> [[String: String]] {
            try scratch.listedSessions(all: true, in: directory).map { session in
                session.compactMapValues { $0 as? String }
            }
        }
        #expect(try stable(scratch.repo) == stable(wtB))
        #expect(try scratch.git("for-each-ref", "refs/coord") == scratch.git("for-each-ref", "refs/coord", in: wtB))
    }

    @Test func touchedFilesComeFromTheSessionsOwnWorktree() throws {
        let (scratch, _, _, wtB) = try Scratch.twoSessions()
        try scratch.write("src/Sidebar.jsx", "a\n")
        try scratch.write("Settings.jsx", "b\n", in: wtB)
        try scratch.coordOK("heartbeat", env: ["GIT_COORD_SESSION": "A"])
        try scratch.coordOK("heartbeat", in: wtB)
        try scratch.coordOK("touch", "docs/plan.md", env: ["GIT_COORD_SESSION": "A"])
        let sessions = try scratch.listedSessions()
        func files(_ name: String) -> [String: Bool] {
            let session = sessions.first { $0["name"] as? String == name }!
            let list = session["files"] as! [[String: Any]]
            return Dictionary(uniqueKeysWithValues: list.map { ($0["path"] as! String, $0["uncommitted"] as! Bool) })
        }
        #expect(files("A") == ["src/Sidebar.jsx": true, "docs/plan.md": false])
        #expect(files("B") == ["Settings.jsx": true])
    }

    @Test func eightSimultaneousStartsGiveEightDistinctLiveSessions() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let worktrees = try (0..<4).map { try scratch.addWorktree("wt-\($0)") }
        let folders = worktrees + worktrees
        let ids = try Self.concurrently(folders.count) { index in
            try scratch.coordOK("start", "--task", "worker \(index)", in: folders[index])
        }
        #expect(Set(ids).count == 8)
        let sessions = try scratch.listedSessions()
        #expect(Set(sessions.map { $0["id"] as! String }) == Set(ids))
        #expect(Set(sessions.map { $0["name"] as! String }).count == 8)
        #expect(sessions.allSatisfy { $0["state"] as? String == "live" })
        let fsck = try runProcess("/usr/bin/git", ["fsck", "--strict"], in: scratch.repo, environment: scratch.environment)
        #expect(fsck.succeeded, "\(fsck)")
    }

    @Test func sameNameAtTheSameInstantOnlyOneWins() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let results = try Self.concurrently(6) { _ in try scratch.coord(["start", "--name", "solo"]) }
        #expect(results.filter(\.succeeded).count == 1)
        for loser in results where !loser.succeeded {
            #expect(loser.status == 128)
            #expect(loser.stderr.contains("the name 'solo' is used by live session"))
        }
    }

    @Test func sessionResolution() throws {
        let (scratch, a, _, wtB) = try Scratch.twoSessions()
        // This worktree's one live session is found without naming it.
        try scratch.coordOK("task", "Only A", in: scratch.repo)
        // A worktree with no session of its own: the error lists the candidates.
        let wtC = try scratch.addWorktree("wt-c")
        let none = try scratch.coord(["heartbeat"], in: wtC)
        #expect(none.status == 128)
        #expect(none.stderr.contains("A (\(a))") && none.stderr.contains("B ("))
        #expect(none.stderr.contains("hint:"))
        // By name, by id, through the environment.
        try scratch.coordOK("task", "--session", "B", "From C", in: wtC)
        try scratch.coordOK("task", "Via env", in: wtC, env: ["GIT_COORD_SESSION": a])
        let tasks = Dictionary(uniqueKeysWithValues: try scratch.listedSessions().map { ($0["name"] as! String, $0["task"] as! String) })
        #expect(tasks == ["A": "Via env", "B": "From C"])
        // Unknown session: an error naming the live ones.
        let unknown = try scratch.coord(["task", "--session", "nobody", "x"], in: wtB)
        #expect(unknown.status == 128)
        #expect(unknown.stderr.contains("no session 'nobody'") && unknown.stderr.contains("A"))
    }

    @Test func stopAndStaleSessionsLeaveTheDefaultView() throws {
        let (scratch, _, _, wtB) = try Scratch.twoSessions()
        try scratch.coordOK("stop", in: wtB)
        #expect(try scratch.listedSessions().map { $0["name"] as! String } == ["A"])
        let all = try scratch.listedSessions(all: true)
        #expect(all.first { $0["name"] as? String == "B" }?["state"] as? String == "ended")
        // An ended session's name is free again.
        try scratch.coordOK("start", "--name", "B", in: wtB)
        // Silence past the TTL makes a session stale.
        try scratch.git("config", "coord.sessionTTL", "1s")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try scratch.listedSessions().isEmpty)
        #expect(try scratch.listedSessions(all: true).filter { $0["state"] as? String == "stale" }.count == 2)
        let text = try scratch.coordOK("list", "--all")
        #expect(text.contains("stale, seen"))
        #expect(text.contains("ended"))
    }

    @Test func heartbeatsWriteOnlyOnChangeOrWhenDue() throws {
        let (scratch, a, _, _) = try Scratch.twoSessions()
        let ref = "refs/coord/v1/sessions/\(a)"
        let before = try scratch.git("rev-parse", ref)
        try scratch.coordOK("heartbeat")
        try scratch.coordOK("heartbeat")
        #expect(try scratch.git("rev-parse", ref) == before)
        try scratch.write("new.txt", "x\n")
        try scratch.coordOK("heartbeat")
        let changed = try scratch.git("rev-parse", ref)
        #expect(changed != before)
        #expect(try scratch.git("rev-parse", ref + "^") == before, "a record's parent is the previous record")
        try scratch.git("config", "coord.heartbeatInterval", "0s")
        try scratch.coordOK("heartbeat")
        #expect(try scratch.git("rev-parse", ref) != changed)
    }

    @Test func worktreesAreListedWithTheirSessions() throws {
        let (scratch, _, _, wtB) = try Scratch.twoSessions()
        let wtC = try scratch.addWorktree("wt-c")
        let text = try scratch.coordOK("worktrees")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix(scratch.repo) && lines[0].hasSuffix("[main]"))
        #expect(lines[1] == "    A: Restyle the sidebar (seen 0s ago)" || lines[1].hasPrefix("    A: Restyle the sidebar (seen"))
        #expect(lines[2].hasPrefix(wtB) && lines[2].hasSuffix("[feature-b]"))
        #expect(lines[3].hasPrefix("    B: Move settings"))
        #expect(lines[4].hasPrefix(wtC))
        let json = try parseJSON(try scratch.coordOK("worktrees", "--json"))
        let worktrees = json["worktrees"] as! [[String: Any]]
        #expect(json["schema"] as? String == "git-coord.worktrees/1")
        #expect(worktrees.map { $0["path"] as! String } == [scratch.repo, wtB, wtC])
        #expect(worktrees.map { ($0["sessions"] as! [[String: Any]]).count } == [1, 1, 0])
    }

    /// Runs `body` in `count` threads released at the same instant; returns results in index order.
    static func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let lock = NSLock()
        nonisolated(unsafe) var results = [Result<T, Error>?](repeating: nil, count: count)
        let group = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                gate.wait()
                let result = Result { try body(index) }
                lock.lock(); results[index] = result; lock.unlock()
                group.leave()
            }
        }
        for _ in 0..<count { gate.signal() }
        group.wait()
        return try results.map { try $0!.get() }
    }
}
