import CoordTestSupport
import Foundation
import Testing

/// "Which session am I", one answer for every surface: sessions made by agent hooks are whole sessions (they name
/// their clone, so they travel), and no surface ever acts for a session of another clone, whatever its worktree path.
@Suite struct SessionIdentityTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func sessions(_ scratch: Scratch, in clone: String) throws -> [[String: Any]] {
        try json(try scratch.coordOK("list", "--all", "--json", in: clone))["sessions"] as? [[String: Any]] ?? []
    }

    /// Sends one Claude Code hook event to the real binary in `directory`.
    @discardableResult
    static func claudeHook(_ scratch: Scratch, _ fixture: String, session: String, in directory: String) throws -> ProcessResult {
        let payload = try AgentFixture.payload("claude", fixture, ["SESSION_ID": session, "CWD": directory, "SOURCE": "startup",
                                                                   "REASON": "other"])
        let result = try scratch.coord(["hook", "claude"], in: directory, env: ["CLAUDE_PROJECT_DIR": directory], stdin: payload)
        #expect(result.status == 0, "\(result)")
        return result
    }

    @Test func anAgentSessionReachesOtherClonesAndItsClaimHoldsThere() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        let (first, second) = (lab.clones[0], lab.clones[1])
        try scratch.coordOK("init", "--remote", "origin", in: first)
        try scratch.coordOK("init", "--remote", "origin", in: second)

        try Self.claudeHook(scratch, "SessionStart", session: "agent-in-first", in: first)
        let agentSession = try #require(try Self.sessions(scratch, in: first).first)
        let id = try #require(agentSession["id"] as? String)
        try scratch.coordOK("claim", "--session", id, "shared.txt", in: first)
        let pushed = try scratch.coord(["sync"], in: first)
        #expect(pushed.status == 0 && !pushed.stderr.contains("names no clone"), "\(pushed)")

        let fetched = try scratch.coord(["sync"], in: second)
        #expect(fetched.status == 0 && !fetched.stderr.contains("ignored"), "\(fetched)")
        let there = try Self.sessions(scratch, in: second)
        #expect(there.count == 1, "\(there)")
        #expect(there.first?["id"] as? String == id)
        #expect(there.first?["agent"] as? String == "claude")
        #expect(there.first?["clone"] as? String != nil, "listed with its clone: \(there)")

        let mine = try scratch.coordOK("start", "--name", "local", in: second)
        let refused = try scratch.coord(["claim", "--session", mine, "shared.txt"], in: second)
        #expect(refused.status != 0, "the agent session's claim holds in the other clone: \(refused)")
        #expect(refused.stderr.contains(try #require(agentSession["name"] as? String)), "\(refused)")
    }

    /// Two clones at the same absolute path (containers mounting /workspace, two laptops with ~/src/app): the
    /// first clone's session arrives in the second by sync with a worktree path that is the second's own.
    @Test func aCommitNeverWritesTheRecordsOfAnotherCloneAtTheSamePath() throws {
        let lab = try CloneLab(clones: 1, overDaemon: false)
        let scratch = lab.scratch
        let path = lab.clones[0]
        try scratch.coordOK("init", "--remote", "origin", in: path)
        let theirs = try scratch.coordOK("start", "--name", "theirs", in: path)
        try scratch.coordOK("sync", in: path)
        try FileManager.default.moveItem(atPath: path, toPath: path + "-elsewhere")

        try scratch.git("clone", "-q", lab.remoteURL, path)
        try scratch.coordOK("init", "--remote", "origin", in: path)
        try scratch.coordOK("sync", in: path)
        let ref = "refs/coord/v1/sessions/" + theirs
        let before = try scratch.git("rev-parse", ref, in: path)
        let listed = try Self.sessions(scratch, in: path)
        #expect(listed.first?["worktree"] as? String == path, "the other clone's session has this very path: \(listed)")

        try scratch.write("work.txt", "mine\n", in: path)
        try scratch.git("add", "work.txt", in: path)
        try scratch.git("commit", "-q", "-m", "work", in: path)
        let named = try scratch.coord(["heartbeat"], in: path)
        #expect(named.status != 0, "no command takes the other clone's session as this worktree's: \(named)")
        #expect(try scratch.git("rev-parse", ref, in: path) == before, "the hooks left the other clone's record alone")
        let pushed = try scratch.coord(["sync"], in: path)
        #expect(!pushed.stderr.contains(theirs), "nothing of theirs was rewritten or pushed: \(pushed)")
    }

    /// Codex has no env file: the model's shell has CODEX_THREAD_ID, the hooks' session_id. Two Codex sessions in
    /// one checkout each act for their own session, and beat an exported variable inherited from the user's shell.
    @Test func commandsRunByAModelActForItsOwnAgentSession() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let person = try scratch.coordOK("start", "--name", "person")
        for thread in ["thread-a", "thread-b"] {
            let payload = try AgentFixture.payload("codex", "SessionStart", ["SESSION_ID": thread, "CWD": scratch.repo, "SOURCE": "startup"])
            let result = try scratch.coord(["hook", "codex"], stdin: payload)
            #expect(result.status == 0, "\(result)")
        }
        for thread in ["thread-a", "thread-b"] {
            try scratch.coordOK("task", "task of \(thread)", env: ["CODEX_THREAD_ID": thread, "GIT_COORD_SESSION": person])
        }
        let sessions = try Self.sessions(scratch, in: scratch.repo)
        #expect(Set(sessions.compactMap { $0["task"] as? String }) == ["task of thread-a", "task of thread-b", ""], "\(sessions)")
        // An unknown thread (a plain shell inside Codex with no session yet) falls back to the exported session.
        try scratch.coordOK("task", "the person's", env: ["CODEX_THREAD_ID": "unknown", "GIT_COORD_SESSION": person])
        #expect(try Self.sessions(scratch, in: scratch.repo).contains { $0["task"] as? String == "the person's" })
    }
}
