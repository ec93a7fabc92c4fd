import CoordTestSupport
import Foundation
import Testing

/// A ref under refs/coord/v1/ at a tree, a blob or a missing object stops no command: each skips it with a warning
/// naming it, and `git coord doctor` names it and removes it.
@Suite struct BrokenRefTests {
    /// One broken ref of every kind, none of them the acting session's own.
    static let ghost = "0badc0ffee00"
    static let brokenRefs = [
        "refs/coord/v1/sessions/\(ghost)",
        "refs/coord/v1/names/ghost",
        "refs/coord/v1/log/\(ghost)",
        "refs/coord/v1/cursors/\(ghost)",
        "refs/coord/v1/claims/paths/" + String(repeating: "ab", count: 20),
        "refs/coord/v1/claims/patterns/" + String(repeating: "cd", count: 20),
        "refs/coord/v1/agents/claude/ghost-agent",
        "refs/coord/v1/delivered/\(ghost)",
    ]

    /// alice (who noted and claimed) and bob, in one checkout with hooks installed, and a remote to sync with.
    static func repository() throws -> (Scratch, alice: String, bob: String) {
        let scratch = try Scratch()
        try scratch.git("init", "-q", "--bare", scratch.root + "/remote.git")
        try scratch.git("remote", "add", "origin", scratch.root + "/remote.git")
        try scratch.coordOK("init")
        try scratch.coordOK("init", "--remote", "origin")
        let alice = try scratch.coordOK("start", "--name", "alice")
        let bob = try scratch.coordOK("start", "--name", "bob")
        try scratch.coordOK("note", "--session", "alice", "before the damage")
        try scratch.coordOK("claim", "--session", "alice", "src/a.js", "docs/**")
        return (scratch, alice, bob)
    }

    @Test(arguments: BrokenTarget.allCases)
    func everyCommandSkipsABrokenRefOfEveryKind(_ target: BrokenTarget) throws {
        let (scratch, _, _) = try Self.repository()
        for ref in Self.brokenRefs { try scratch.breakRef(ref, as: target) }
        let log = "refs/coord/v1/log/\(Self.ghost)", sessions = "refs/coord/v1/sessions/\(Self.ghost)"
        let claims = Self.brokenRefs.filter { $0.contains("/claims/") }
        let bob = ["GIT_COORD_SESSION": "bob"]
        // Each command, and the broken refs it reads (so must name): every other one it simply never looks at.
        let commands: [([String], [String])] = [
            (["list"], [sessions]), (["list", "--all", "--json"], [sessions]), (["worktrees"], [sessions]),
            (["note", "hello from bob"], [log]), (["send", "alice", "a direct message"], [log]),
            (["inbox", "--peek"], [log]), (["inbox"], [log]), (["feed"], [log]), (["feed", "--since", "1h", "--json"], [log]),
            (["claims", "--all"], claims), (["claim", "lib/b.js"], [claims[1]]), (["check", "lib/c.js"], [claims[1]]),
            (["release", "lib/b.js"], []), (["heartbeat"], []), (["task", "repairs"], []), (["touch", "README.md"], []),
            (["gc", "--dry-run", "-v"], [sessions, log, "refs/coord/v1/names/ghost"]), (["gc"], [sessions, log]),
            (["sync"], []),
        ]
        for (arguments, named) in commands {
            let result = try scratch.coord(arguments, env: bob)
            #expect(result.status == 0, "\(target): git coord \(arguments.joined(separator: " ")): \(result)")
            #expect(!result.stderr.contains("fatal"), "\(target): \(arguments): \(result)")
            for ref in named {
                #expect(result.stderr.contains("warning: skipping \(ref)") || result.stderr.contains("of \(ref):"),
                        "\(target): git coord \(arguments.joined(separator: " ")) does not name \(ref): \(result)")
            }
        }
        // What bob wrote despite the damage arrived.
        let inbox = try scratch.coord(["inbox"], env: ["GIT_COORD_SESSION": "alice"])
        #expect(inbox.status == 0 && inbox.stdout.contains("hello from bob") && inbox.stdout.contains("a direct message"), "\(inbox)")

        // The git hooks (pre-commit reads every session) and an agent's hooks.
        try scratch.write("src/a.js", "changed\n")
        try scratch.git("add", "src/a.js")
        let commit = try runProcess("/usr/bin/git", ["commit", "-q", "-m", "change"], in: scratch.repo,
                                    environment: scratch.environment.merging(bob) { $1 })
        #expect(commit.succeeded && commit.stderr.contains("git-coord: warning: skipping \(sessions)"), "\(target): \(commit)")
        #expect(commit.stderr.contains("src/a.js: claimed by alice"), "the hook still reports the real claim: \(commit)")
        for event in ["SessionStart", "UserPromptSubmit"] {
            let run = try scratch.hook("claude", event, session: "agent-\(target)")
            #expect(!run.result.stderr.contains("fatal") && !run.result.stderr.contains("does not match the type"), "\(event): \(run.result)")
        }
        let edit = try scratch.hook("claude", "PreToolUse-Edit", session: "agent-\(target)",
                                    values: ["FILE": scratch.repo + "/src/a.js"])
        #expect(edit.decision == "ask" && edit.reason?.contains("alice") == true, "the edit hook still sees alice's claim: \(edit.result)")

        // doctor names every one of them (gc dropped the ghost's log: a log of no session, with nothing unread), and
        // removes them.
        for ref in Self.brokenRefs { try scratch.breakRef(ref, as: target) }
        let doctor = try scratch.coord(["doctor", "--json"])
        #expect(doctor.status == 1, "\(doctor)")
        let problems = try parseJSON(doctor.stdout)["problems"] as? [[String: Any]] ?? []
        #expect(Set(problems.compactMap { $0["ref"] as? String }) == Set(Self.brokenRefs), "\(doctor)")
        #expect(problems.allSatisfy { $0["kind"] as? String == "broken-target" && $0["fixed"] as? Bool == false }, "\(doctor)")
        let fixed = try scratch.coord(["doctor", "--fix"])
        #expect(fixed.status == 0, "\(fixed)")
        for ref in Self.brokenRefs { #expect(fixed.stdout.contains("removed \(ref): broken-target"), "\(fixed)") }
        #expect(try scratch.git("for-each-ref", "--format=%(refname)", "refs/coord/v1/").split(separator: "\n")
                    .allSatisfy { !Self.brokenRefs.contains(String($0)) })
        let clean = try scratch.coord(["note", "all clear"], env: bob)
        #expect(clean.status == 0 && clean.stderr.isEmpty, "\(clean)")
        let healthy = try scratch.coord(["doctor"])
        #expect(healthy.status == 0 && healthy.stdout.isEmpty && healthy.stderr.isEmpty, "\(healthy)")
        #expect(try scratch.git("fsck", "--no-progress", "--no-dangling").isEmpty)
    }

    /// The acting session's own refs broken: its inbox still works (its cursor is read again from its start), and
    /// what it writes next reaches readers who had read past where its new log begins.
    @Test(arguments: BrokenTarget.allCases)
    func aSessionWhoseOwnRefsBrokeGoesOn(_ target: BrokenTarget) throws {
        let (scratch, _, bob) = try Self.repository()
        for text in ["one", "two", "three"] { try scratch.coordOK("note", "--session", "bob", text) }
        #expect(try scratch.coordOK("inbox", "--session", "alice").contains("three"))

        try scratch.breakRef("refs/coord/v1/cursors/\(bob)", as: target)
        let inbox = try scratch.coord(["inbox", "--session", "bob"])
        #expect(inbox.status == 0 && inbox.stdout.contains("before the damage"), "\(inbox)")
        #expect(inbox.stderr.contains("refs/coord/v1/cursors/\(bob)"), "\(inbox)")
        #expect(try scratch.coordOK("inbox", "--session", "bob").isEmpty, "the cursor was written again")

        try scratch.breakRef("refs/coord/v1/log/\(bob)", as: target)
        let note = try scratch.coord(["note", "--session", "bob", "after the damage"])
        #expect(note.status == 0 && note.stderr.contains("refs/coord/v1/log/\(bob)"), "\(note)")
        let read = try scratch.coord(["inbox", "--session", "alice", "--json"])
        let items = try parseJSON(read.stdout)["items"] as? [[String: Any]] ?? []
        #expect(items.map { $0["text"] as? String } == ["after the damage"], "alice read up to bob's third note: \(read)")
        #expect((items.first?["seq"] as? Int ?? 0) > 3, "the new log continues above what readers saw: \(read)")
    }
}
