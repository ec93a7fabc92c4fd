import Foundation
import GitCoordSystem
import Testing
@testable import GitCoordAgents
@testable import GitCoordCore

/// The pure rules, tested where they live: record kinds, fork rules, push porcelain, agent events, settings edits.
/// Everything here is also exercised end to end through the real binary by the other suites.
@Suite struct RulesTests {
    // MARK: Record kinds

    @Test func everyRefNameHasOneKindOrNone() {
        let hash = String(repeating: "a", count: 40)
        let cases: [(String, String?)] = [
            ("sessions/46ab0b2c37ce", "session"), ("names/alice", "name"), ("log/46ab0b2c37ce", "log"),
            ("cursors/46ab0b2c37ce", "cursor"), ("claims/paths/\(hash)", "claim"), ("claims/patterns/\(hash)", "claim"),
            ("agents/claude/3f1e-uuid", "agent binding"), ("delivered/46ab0b2c37ce", "delivery mark"),
            ("claims/other/\(hash)", nil), ("claims/paths/short", nil), ("sessions/a/b", nil), ("weird/thing", nil),
            ("sessions/..", nil), ("sessions/", nil), ("agents/claude", nil),
        ]
        for (rest, noun) in cases {
            #expect(RecordKinds.kind(of: rest)?.noun == noun, "\(rest)")
        }
        #expect(RefKind("sessions/46ab0b2c37ce") == .presence)
        #expect(RefKind("log/46ab0b2c37ce") == .log && RefKind("cursors/46ab0b2c37ce") == .log)
        #expect(RefKind("claims/paths/\(hash)") == .claim)
        #expect(RefKind("names/alice") == .localOnly && RefKind("agents/codex/x") == .localOnly)
        #expect(RefKind("weird/thing") == .unknown)
    }

    @Test func aRecordMustBelongAtItsRef() {
        var session = SessionRecord(id: "46ab0b2c37ce", name: "a", agent: nil, agentSessionID: nil, task: "", branch: nil,
                                    head: nil, worktree: "/w", host: "h", started: 1, seen: 1, ended: nil, touched: [], changed: [])
        #expect(SessionKind.problem(with: session, at: "refs/coord/v1/sessions/46ab0b2c37ce") == nil)
        session.id = "000000000000"
        #expect(SessionKind.problem(with: session, at: "refs/coord/v1/sessions/46ab0b2c37ce") != nil)
        let binding = AgentBinding(agent: "claude", agentSessionID: "not a safe/name", session: "46ab0b2c37ce")
        let key = AgentSessionService.agentKey(binding.agentSessionID)
        #expect(key.hasPrefix("h") && key.count == 33, "an unsafe id is hashed")
        #expect(AgentBindingKind.problem(with: binding, at: RefLayout.agent("claude", key)) == nil)
        #expect(AgentBindingKind.problem(with: binding, at: RefLayout.agent("codex", key)) != nil)
    }

    // MARK: Awareness rules

    @Test func namesComeFromBranchesSafelyAndNumberedWhenTaken() {
        #expect(NameGenerator.base(branch: "ui/fixes", worktree: "/w/app") == "ui-fixes")
        #expect(NameGenerator.base(branch: nil, worktree: "/w/app-b") == "app-b")
        #expect(NameGenerator.base(branch: "feature/été//x..y.lock", worktree: "/w") == "feature-t-x.y")
        #expect(NameGenerator.base(branch: "---", worktree: "/") == nil)
        #expect(NameGenerator.base(branch: String(repeating: "a", count: 80), worktree: "/w")?.count == 36)
        let names = NameGenerator.candidates(base: "main", seed: "46ab0b2c37ce", avoiding: ["main", "main-2"])
        #expect(Array(names.prefix(2)) == ["main-3", "main-4"])
    }

    @Test func aProcessIsToldApartFromALaterOneWithItsPid() throws {
        let me = try #require(Processes.info(getpid()))
        let boot = try #require(Processes.bootID)
        let namespace = Processes.pidNamespace
        #expect(!Session.isGone(ProcessIdentity(pid: me.pid, started: me.started, boot: boot, namespace: namespace)))
        #expect(Session.isGone(ProcessIdentity(pid: me.pid, started: me.started + 1, boot: boot, namespace: namespace)), "a reused pid")
        #expect(Session.isGone(ProcessIdentity(pid: Int32.max - 1, started: 1, boot: boot, namespace: namespace)), "no such process")
        #expect(!Session.isGone(ProcessIdentity(pid: Int32.max - 1, started: 1, boot: "another-machine", namespace: namespace)),
                "elsewhere: the TTL")
        #expect(!Session.isGone(ProcessIdentity(pid: Int32.max - 1, started: 1, boot: boot, namespace: "pid:[1]")),
                "from inside a sandbox's own pid namespace the pid means nothing: the TTL")
    }

    @Test func procStatLinesAreReadByTheirFieldsWhateverTheNameHolds() throws {
        let tail = " 4194304 101 0 0 0 0 0 0 0 20 0 1 0 1222812 3133440 389 18446744073709551615 94548705366016\n"
        let plain = Processes.parseStat(Array("12814 (cat) S 12805 12805 23306 0 -1\(tail)".utf8), pid: 12814)
        #expect(plain?.pid == 12814 && plain?.parent == 12805 && plain?.name == "cat" && plain?.started == 1222812)
        // A name with spaces and parentheses, as any process may give itself (prctl PR_SET_NAME).
        let odd = Processes.parseStat(Array("7 (a) S 9 (b) R 1 2 3 4 -1\(tail)".utf8), pid: 7)
        #expect(odd?.parent == 1 && odd?.name == "a) S 9 (b" && odd?.started == 1222812)
        #expect(Processes.parseStat(Array("7 (x) Z 1 1 1 0 -1\(tail)".utf8), pid: 7) == nil, "a zombie is dead")
        #expect(Processes.parseStat(Array("7 (x) S 1 1 1 0 -1 0 4194304".utf8), pid: 7) == nil, "cut short")
        #expect(Processes.parseStat(Array("7 (x) S 1x 1 1 0 -1\(tail)".utf8), pid: 7) == nil)
        #expect(Processes.parseStat(Array("7 x S 1 1 1 0 -1\(tail)".utf8), pid: 7) == nil)
        let huge = tail.replacingOccurrences(of: "1222812", with: "99999999999999999999")
        #expect(Processes.parseStat(Array("7 (x) S 1 1 1 0 -1\(huge)".utf8), pid: 7) == nil, "past UInt64")
        // And the real file, of this process and its parent.
        let me = try #require(Processes.info(getpid()))
        #expect(me.parent == getppid())
        #expect(Processes.info(me.parent)?.pid == getppid())
    }

    @Test func aHookLooksEachProcessUpOnceAndTheNextSeesItGone() throws {
        let pid = try GitCoordSystem.Background.start("/bin/sleep", ["60"], environment: [:])
        let started = try #require(Processes.info(pid)).started
        let live = ProcessIdentity(pid: pid, started: started, boot: try #require(Processes.bootID), namespace: Processes.pidNamespace)
        #expect(!Session.isGone(live))
        Processes.lookingUpOnce {
            #expect(!Session.isGone(live))
            kill(pid, SIGKILL)
            GitCoordSystem.Background.reap(pid)
            #expect(!Session.isGone(live), "remembered for the rest of this hook")
            Processes.lookingUpOnce { #expect(!Session.isGone(live), "a scope inside another is the same hook") }
            #expect(!Session.isGone(live))
        }
        #expect(Session.isGone(live), "the next hook, or anything outside one, reads /proc anew")
    }

    @Test func tasksFromWordsNeverReplaceTheSessionsOwn() {
        var record = SessionRecord(id: "46ab0b2c37ce", name: "a", agent: "claude", agentSessionID: "x", task: "", branch: nil,
                                   head: nil, worktree: "/w", host: "h", started: 1, seen: 1, ended: nil, touched: [], changed: [])
        SessionService.propose(task: "\n  first line  \nsecond", source: .prompt, to: &record)
        #expect(record.task == "first line" && record.taskSource == .prompt)
        SessionService.propose(task: "another prompt", source: .prompt, to: &record)
        #expect(record.task == "first line")
        SessionService.propose(task: String(repeating: "t", count: 300), source: .title, to: &record)
        #expect(record.task.count == 100 && record.taskSource == .title)
        record.taskSource = .explicit
        SessionService.propose(task: "a title", source: .title, to: &record)
        #expect(record.taskSource == .explicit && record.task.count == 100)
    }

    // MARK: Fork rules

    static func claim(_ session: String, claimed: Millis, expires: Millis, released: Millis? = nil, commit: Character)
        -> ForkResolution.Side<ForkResolution.ClaimFields> {
        .init(commit: ObjectID(hex: String(repeating: commit, count: 40))!, payload: Data(),
              record: .init(pattern: "p", session: session, name: session, claimed: claimed, expires: expires, released: released))
    }

    @Test func forkedClaimsSettleTheSameWhicheverCloneAsks() {
        let early = Self.claim("s1", claimed: 100, expires: 1_000, commit: "a")
        let late = Self.claim("s2", claimed: 200, expires: 1_000, commit: "b")
        #expect(ForkResolution.claimWinner(early, late).record.session == "s1")
        #expect(ForkResolution.claimWinner(late, early).record.session == "s1", "the same answer in either order")
        let released = Self.claim("s1", claimed: 100, expires: 1_000, released: 150, commit: "a")
        #expect(ForkResolution.claimWinner(released, late).record.session == "s2", "a released claim loses")
        let expiredFirst = Self.claim("s1", claimed: 100, expires: 150, commit: "a")
        #expect(ForkResolution.claimWinner(late, expiredFirst).record.session == "s2", "expired before the other was taken")
    }

    // MARK: Push porcelain

    @Test func pushPorcelainLinesAreReadPerRef() {
        let output = """
            To git://127.0.0.1/team.git
            \t:refs/coord/v1/log/aaa\t[new reference]
             \trefs/coord/v1/x:refs/coord/v1/sessions/s1\t1111..2222
            =\t:refs/coord/v1/cursors/c\t[up to date]
            !\t:refs/coord/v1/claims/paths/h\t[rejected] (stale info)
            !\t:refs/coord/v1/log/b\t[remote rejected] (pre-receive hook declined)
            Done
            """
        let statuses = GitTransport.parsePorcelain(output)
        #expect(statuses["refs/coord/v1/sessions/s1"] == .accepted)
        #expect(statuses["refs/coord/v1/cursors/c"] == .upToDate)
        #expect(statuses["refs/coord/v1/claims/paths/h"] == .stale)
        #expect(statuses["refs/coord/v1/log/b"] == .refused("remote rejected: pre-receive hook declined"))
    }

    // MARK: Agent events

    @Test func eventsAreReadLenientlyInEachDialect() throws {
        let edit = #"{"session_id":"s","hook_event_name":"PreToolUse","cwd":"/w","tool_name":"Edit","tool_input":{"file_path":"/w/a.js","old_string":1}}"#
        let event = try ClaudeDialect().event(from: Array(edit.utf8))
        #expect(event.kind == .beforeEdit && event.paths == ["/w/a.js"] && event.agentSessionID == "s")
        // A field of another type than expected is as good as absent; the event still reads.
        let odd = #"{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":7}}"#
        #expect(try ClaudeDialect().event(from: Array(odd.utf8)).kind == .ignored)
        let patch = "*** Begin Patch\n*** Update File: src/a.js\n@@\n-x\n+y\n*** Add File: b.txt\n+z\n*** End Patch\n"
        let codex = try JSONSerialization.data(withJSONObject: ["session_id": "t", "hook_event_name": "PreToolUse",
                                                                "tool_name": "apply_patch", "tool_input": ["command": patch]])
        #expect(try CodexDialect().event(from: Array(codex)).paths == ["src/a.js", "b.txt"])
        for bad in ["", "[]", #"{"hook_event_name":"SessionStart"}"#, #"{"session_id":"s"}"#, "{not json"] {
            #expect(throws: MalformedEvent.self, "\(bad)") { try ClaudeDialect().event(from: Array(bad.utf8)) }
        }
    }

    @Test func theModelsShellFindsItsSession() {
        let selector = SessionSelector.from(environment: ["CODEX_THREAD_ID": "019a", "GIT_COORD_SESSION": "alice"])
        #expect(selector.agent == AgentIdentity(kind: "codex", sessionID: "019a") && selector.exported == "alice")
        #expect(SessionSelector.from(environment: ["GIT_COORD_SESSION": ""]).exported == nil)
        #expect(SessionSelector.from(environment: [:], named: "bob").named == "bob")
        #expect(AgentKind.running(in: ["CODEX_THREAD_ID": "x"]) == .codex && AgentKind.running(in: [:]) == nil)
    }

    @Test func eachAgentGuardsEditsAsItCan() {
        #expect(ClaudeDialect().defaultConflictMode == .ask)
        #expect(CodexDialect().defaultConflictMode == .deny && GeminiDialect().defaultConflictMode == .deny)
        let groups = CodexDialect().hookGroups.map(\.event)
        #expect(groups.contains("SessionEnd") && groups.contains("PreToolUse"))
    }

    // MARK: Settings files

    @Test func codexHookTrustIsCodexsOwnHash() throws {
        let settings = try JSONParser.parse(#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"mine"}]},{"matcher":"apply_patch","hooks":[{"type":"command","command":"git coord hook codex","timeout":10}]}]}}"#)
        let tables = CodexDialect().hookTrust(hooksPath: "/r/.codex/hooks.json", settings: settings)
        #expect(tables.count == 1, "only git-coord's hook, never the user's")
        #expect(tables.first?.header == #"hooks.state."/r/.codex/hooks.json:pre_tool_use:1:0""#)
        // Codex 0.163.0's app-server reports this currentHash for that hook.
        #expect(tables.first?.lines == [#"trusted_hash = "sha256:9f7eee373100a0c0cc6417319fa6d2b802beacee9df207c7edecdb9aadb4f548""#])
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000)).count == 64)
    }

    @Test func tomlBlocksComeAndGoWithoutTouchingTheUsersLines() {
        let block = TOMLBlock(owner: "git coord install codex")
        let user = "model = \"x\"  # mine\n\n[sandbox_workspace_write]\nnetwork_access = true\n\n[mcp_servers.git-coord]\ncommand = \"mine\"\n"
        let tables = [TOMLTable("sandbox_workspace_write", ["writable_roots = [\"/r/.git\"]"], mergesIntoExisting: true),
                      TOMLTable("mcp_servers.\"git-coord\"", ["command = \"git\""]),
                      TOMLTable("hooks.state.\"/r:a:0:0\"", ["trusted_hash = \"h\""])]
        let applied = block.applying(tables, to: user)
        #expect(applied.skipped == ["[mcp_servers.\"git-coord\"] is defined already"], "never a second table of a name")
        #expect(applied.text.contains("[sandbox_workspace_write]\nwritable_roots = [\"/r/.git\"]  # git coord install codex\nnetwork_access = true"))
        #expect(applied.text.contains("[hooks.state.\"/r:a:0:0\"]\ntrusted_hash = \"h\""))
        #expect(block.applying(tables, to: applied.text).text == applied.text, "idempotent")
        #expect(block.applying([], to: applied.text).text == user, "taken out exactly")
        #expect(TOMLBlock.string("a\"b\\c\n") == #""a\"b\\c\n""#)
    }

    @Test func jsonParserKeepsOrderDigitsAndRefusesWhatIsNotJSON() throws {
        let text = #"{"b":1,"a":[true,null,12345678901234567890,-0.5e3,"\u00e9\n"],"c":{}}"#
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.compact(value) == #"{"b":1,"a":[true,null,12345678901234567890,-0.5e3,"é\n"],"c":{}}"#)
        #expect(JSONWriter.canonical(value).hasPrefix(#"{"a":"#))
        #expect(try JSONParser.parse(#""\ud800""#) == .string("\u{FFFD}"), "a lone surrogate reads as U+FFFD, as in most parsers")
        for bad in ["", "{", "[1,]", #"{"a" 1}"#, "01", "nul", "[1] x"] {
            #expect(throws: JSONParser.Failure.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }
}
