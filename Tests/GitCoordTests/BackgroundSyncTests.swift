import CoordTestSupport
import Foundation
import Testing

/// Clones that stay aware of each other with nobody running `git coord sync`: the hooks sync in the background.
/// The remote is real: git's smart HTTP behind lighttpd with basic authentication (the password from a credential
/// helper), or a listener that never answers.
@Suite(.serialized) struct BackgroundSyncTests {
    /// Shares coordination through origin in every clone, with background sync every second.
    static func share(_ scratch: Scratch, _ clones: [String], interval: String = "1s") throws {
        for clone in clones {
            try scratch.coordOK("init", "--remote", "origin", in: clone)
            try scratch.git("config", "coord.syncInterval", interval, in: clone)
        }
    }

    /// The id and name of the clone's own session.
    static func session(_ scratch: Scratch, in clone: String) throws -> (id: String, name: String) {
        let list = try JSONSerialization.jsonObject(with: Data(try scratch.coordOK("list", "--json", in: clone).utf8)) as? [String: Any]
        let sessions = list?["sessions"] as? [[String: Any]] ?? []
        let own = try #require(sessions.first { $0["clone"] as? String == (list?["clone"] as? String) })
        return (try #require(own["id"] as? String), try #require(own["name"] as? String))
    }

    /// True while a sync holds the repository's sync lock (a background one, here).
    static func syncRunning(_ scratch: Scratch, in clone: String) throws -> Bool {
        let probe = try runProcess("/usr/bin/flock", ["-n", ".git/coord-sync.lock", "true"], in: clone, environment: scratch.environment)
        return !probe.succeeded
    }

    static func waitForIdle(_ scratch: Scratch, in clone: String) throws {
        var polls = 0
        while try syncRunning(scratch, in: clone), polls < 300 {
            usleep(50_000)
            polls += 1
        }
        #expect(try !syncRunning(scratch, in: clone), "a background sync is still running")
    }

    @Test func aNoteReachesTheOtherClonesNextTurnOverHTTPWithNoManualSync() throws {
        let lab = try HTTPCloneLab(clones: 2)
        let scratch = lab.scratch
        try Self.share(scratch, lab.clones)
        let (a, b) = (lab.clones[0], lab.clones[1])
        _ = try scratch.hook("claude", "SessionStart", session: "agent-a", in: a)
        _ = try scratch.hook("claude", "SessionStart", session: "agent-b", in: b)
        let alice = try Self.session(scratch, in: a)
        try scratch.coordOK("note", "--session", alice.id, "The API moved to /v2; update your calls", in: a)

        // Both agents keep taking turns; nobody syncs. A's turns push, B's fetch, B's next turn delivers.
        var delivered: String?
        var turns = 0
        let deadline = Date().addingTimeInterval(60)
        while delivered == nil && Date() < deadline {
            usleep(250_000)
            let turnA = try scratch.hook("claude", "UserPromptSubmit", session: "agent-a", in: a)
            let turnB = try scratch.hook("claude", "UserPromptSubmit", session: "agent-b", in: b)
            turns += 1
            #expect(turnA.result.stderr.isEmpty && turnB.result.stderr.isEmpty, "hooks stay quiet: \(turnA.result) \(turnB.result)")
            if let context = turnB.context, context.contains("The API moved to /v2") { delivered = context }
        }
        let context = try #require(delivered, "the note never reached the other clone's agent")
        #expect(context.contains("from session \"\(alice.name)\""), "\(context)")
        // Intervals of 1s and a turn every 0.25s: it takes a few turns, not dozens.
        #expect(turns <= 40, "\(turns) turns")
        #expect(try lab.remoteGit("for-each-ref", "refs/coord/v1/log/").contains(alice.id))
        // Delivered once: the next turn does not repeat it.
        usleep(1_100_000)
        let again = try scratch.hook("claude", "UserPromptSubmit", session: "agent-b", in: b)
        #expect(again.context?.contains("The API moved to /v2") != true, "\(again.result)")
        try Self.waitForIdle(scratch, in: a)
        try Self.waitForIdle(scratch, in: b)
    }

    @Test func theReadmeExampleWorksWhenPasted() throws {
        let script = try #require(ReadmeTests.shellBlock(after: "Try it (paste in a shell with `git-coord` on `PATH`; the commits"))
        let result = try ReadmeTests.runPasted(script)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains(" ago: lunch at noon"), "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test func syncAndRemoteClaimsWorkOverSmartHTTPWithACredentialHelper() throws {
        let lab = try HTTPCloneLab(clones: 2)
        let scratch = lab.scratch
        try Self.share(scratch, lab.clones, interval: "0")
        let (a, b) = (lab.clones[0], lab.clones[1])
        try scratch.coordOK("start", "--name", "alice", in: a)
        try scratch.coordOK("start", "--name", "bob", in: b)
        try scratch.coordOK("sync", in: a)
        try scratch.coordOK("sync", in: b)
        #expect(try scratch.coordOK("list", in: b).contains("alice  [clone "))

        try scratch.coordOK("claim", "--remote", "src/App.jsx", in: a)
        let refused = try scratch.coord(["claim", "--remote", "src/App.jsx"], in: b)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("claimed by alice"), "\(refused)")
        #expect(refused.stderr.contains("nothing was claimed"), "\(refused)")

        // Without the credential helper's password the server refuses: a clear error, nothing changed locally.
        let stranger = scratch.root + "/stranger"
        try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
        let before = try scratch.git("for-each-ref", "refs/coord", in: b)
        let denied = try scratch.coord(["sync"], in: b, env: ["HOME": stranger, "GIT_TERMINAL_PROMPT": "0"])
        #expect(denied.status == 128, "\(denied)")
        #expect(denied.stderr.contains("fatal: could not fetch from 'origin'"), "\(denied)")
        #expect(try scratch.git("for-each-ref", "refs/coord", in: b) == before)
    }

    @Test func credentialsTheServerRefusesAreShownOnceAndPauseBackgroundSync() throws {
        let lab = try HTTPCloneLab(clones: 1)
        let scratch = lab.scratch
        let clone = lab.clones[0]
        try Self.share(scratch, [clone])
        let stranger = scratch.root + "/stranger"
        try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
        // A person whose credential helper does not know the password: the hooks run with that HOME.
        let env = ["HOME": stranger]
        _ = try scratch.hook("claude", "SessionStart", session: "agent", in: clone, env: env)
        try Self.waitForIdle(scratch, in: clone)
        var shown: [String] = []
        for _ in 0..<3 {
            usleep(1_100_000)
            let turn = try scratch.hook("claude", "UserPromptSubmit", session: "agent", in: clone, env: env)
            #expect(turn.result.stderr.isEmpty, "\(turn.result)")
            if let context = turn.context, context.contains("background") { shown.append(context) }
            try Self.waitForIdle(scratch, in: clone)
        }
        #expect(shown.count == 1, "shown once: \(shown)")
        #expect(shown.first?.contains("could not fetch from 'origin'") == true, "\(shown)")
        #expect(shown.first?.contains("background sync is paused") == true, "\(shown)")

        // Paused, not retrying: with the password now known, hooks still leave the remote alone...
        try lab.server.storeCredentials(home: stranger)
        for _ in 0..<3 {
            usleep(1_100_000)
            _ = try scratch.hook("claude", "UserPromptSubmit", session: "agent", in: clone, env: env)
            try Self.waitForIdle(scratch, in: clone)
        }
        #expect(try lab.remoteGit("for-each-ref", "refs/coord").isEmpty)
        // ...until a person's 'git coord sync' goes through; then the hooks carry on by themselves.
        try scratch.coordOK("sync", in: clone, env: env)
        try scratch.coordOK("note", "--session", try Self.session(scratch, in: clone).id, "back", in: clone, env: env)
        usleep(1_100_000)
        _ = try scratch.hook("claude", "UserPromptSubmit", session: "agent", in: clone, env: env)
        try Self.waitForIdle(scratch, in: clone)
        #expect(try lab.remoteGit("for-each-ref", "refs/coord/v1/log/").contains("log/"))
    }

    @Test func aRemoteThatRefusesOurRefsIsReportedOnceAndNotAskedAgain() throws {
        let lab = try HTTPCloneLab(clones: 1)
        let scratch = lab.scratch
        let clone = lab.clones[0]
        // A hosting service that declines custom refs, and counts every push that tried.
        let attempts = scratch.root + "/push-attempts"
        let hook = lab.remotePath + "/hooks/pre-receive"
        try """
            #!/bin/sh
            while read old new ref; do
              case "$ref" in refs/coord/*) echo try >> "\(attempts)"; echo "custom refs are not allowed here" >&2; exit 1;; esac
            done
            """.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        try Self.share(scratch, [clone])
        try scratch.coordOK("start", "--name", "alice", in: clone)

        // Commits run the pre-commit hook: the first one due starts a sync, which the server refuses.
        var said: [String] = []
        for index in 0..<6 {
            usleep(1_100_000)
            try scratch.write("file\(index).txt", "\(index)\n", in: clone)
            try scratch.git("add", "file\(index).txt", in: clone)
            let commit = try runProcess("/usr/bin/git", ["commit", "-q", "-m", "change \(index)"], in: clone, environment: scratch.environment)
            #expect(commit.succeeded, "\(commit)")
            said.append(commit.stderr)
            try Self.waitForIdle(scratch, in: clone)
        }
        let reports = said.filter { $0.contains("refused refs/coord/v1/sessions/") }
        #expect(reports.count == 1, "reported once: \(said)")
        let report = try #require(reports.first)
        #expect(report.contains("remote rejected: pre-receive hook declined"), "\(report)")
        #expect(report.contains("does not accept git-coord's refs"), "\(report)")
        #expect(report.contains("git coord init --uninstall --remote origin"), "\(report)")
        #expect(report.contains("paused until 'git coord sync' succeeds"), "\(report)")
        // One push in six commits over six seconds of 1s intervals: not asked again.
        #expect(try String(contentsOfFile: attempts, encoding: .utf8).split(separator: "\n").count == 1)
        #expect(try lab.remoteGit("for-each-ref", "refs/coord").isEmpty)

        // Once the server takes them, a manual sync resumes background sync.
        try FileManager.default.removeItem(atPath: hook)
        try scratch.coordOK("sync", in: clone)
        try scratch.coordOK("note", "--session", "alice", "after the fix", in: clone)
        var pushed = false
        var hooks = 0
        while !pushed && hooks < 20 {
            usleep(300_000)
            _ = try scratch.coordOK("hook", "post-checkout", "x", "y", "0", in: clone)
            hooks += 1
            try Self.waitForIdle(scratch, in: clone)
            pushed = try lab.remoteGit("for-each-ref", "refs/coord/v1/log/").contains("log/")
        }
        #expect(pushed)
    }

    @Test func aRemoteThatDeletesOurRefsIsReportedAndNotFedForever() throws {
        let lab = try HTTPCloneLab(clones: 1)
        let scratch = lab.scratch
        let clone = lab.clones[0]
        try Self.share(scratch, [clone])
        let alice = try scratch.coordOK("start", "--name", "alice", in: clone)
        try scratch.coordOK("note", "--session", alice, "first", in: clone)
        try scratch.coordOK("sync", in: clone)
        // A hosting service that drops refs it does not know, some time after they were pushed.
        func dropCoordRefs() throws {
            for ref in try lab.remoteGit("for-each-ref", "--format=%(refname)", "refs/coord").split(separator: "\n") {
                try lab.remoteGit("update-ref", "-d", String(ref))
            }
        }
        try dropCoordRefs()

        var said: [String] = []
        for _ in 0..<3 {
            usleep(1_100_000)
            said.append(try scratch.coord(["hook", "post-checkout", "x", "y", "0"], in: clone).stderr)
            try Self.waitForIdle(scratch, in: clone)
        }
        let reports = said.filter { $0.contains("no longer has refs/coord/v1/") }
        #expect(reports.count == 1, "\(said)")
        #expect(reports.first?.contains("git coord init --uninstall --remote origin") == true, "\(said)")
        #expect(reports.first?.contains("Background sync is paused") == true, "\(said)")
        // Paused: dropped again, they stay dropped; nothing is pushed at every interval.
        try dropCoordRefs()
        for _ in 0..<3 {
            usleep(1_100_000)
            _ = try scratch.coord(["hook", "post-checkout", "x", "y", "0"], in: clone)
            try Self.waitForIdle(scratch, in: clone)
        }
        #expect(try lab.remoteGit("for-each-ref", "refs/coord").isEmpty)
        // A person's sync says it too, and puts them back.
        let manual = try scratch.coord(["sync"], in: clone)
        #expect(manual.status == 0 && manual.stderr.contains("warning: 'origin' no longer has refs/coord/v1/"), "\(manual)")
        #expect(!(try lab.remoteGit("for-each-ref", "refs/coord")).isEmpty)
    }

    @Test func offlineHooksNeitherWaitNorSpeakNorPileUp() throws {
        let lab = try HTTPCloneLab(clones: 1)
        let scratch = lab.scratch
        let clone = lab.clones[0]
        try Self.share(scratch, [clone])
        // A remote that accepts the connection and never answers.
        let hole = try BlackHoleServer()
        try scratch.git("remote", "set-url", "origin", "http://127.0.0.1:\(hole.port)/git/team.git", in: clone)

        let start = try scratch.hook("claude", "SessionStart", session: "agent", in: clone)
        #expect(start.result.stderr.isEmpty, "\(start.result)")
        // The hook has answered, yet the sync it started is still waiting on the remote: it did not wait for it.
        var waited = 0
        while hole.connections == 0 && waited < 100 {
            usleep(50_000)
            waited += 1
        }
        #expect(hole.connections == 1)
        #expect(try Self.syncRunning(scratch, in: clone))
        // More turns, past several intervals: all answered and quiet, and still one connection, one sync.
        for _ in 0..<8 {
            usleep(400_000)
            let turn = try scratch.hook("claude", "UserPromptSubmit", session: "agent", in: clone)
            #expect(turn.result.status == 0 && turn.result.stderr.isEmpty, "\(turn.result)")
            let commitHook = try scratch.coord(["hook", "pre-commit"], in: clone)
            #expect(commitHook.status == 0 && commitHook.stderr.isEmpty, "\(commitHook)")
        }
        #expect(hole.connections == 1, "syncs piled up: \(hole.connections) connections")
        // The remote goes away altogether: the hanging sync ends, and offline says nothing.
        hole.close()
        try Self.waitForIdle(scratch, in: clone)
        for _ in 0..<4 {
            usleep(600_000)
            let turn = try scratch.hook("claude", "UserPromptSubmit", session: "agent", in: clone)
            #expect(turn.result.stderr.isEmpty && turn.context?.contains("background") != true, "\(turn.result)")
        }
        try Self.waitForIdle(scratch, in: clone)
        let list = try scratch.coord(["list"], in: clone)
        #expect(list.status == 0 && list.stderr.isEmpty, "\(list)")
    }
}
