import CoordTestSupport
import Foundation
import Testing

/// Awareness nobody has to type: names from where a session works, tasks from what the user asked, arrivals and
/// departures at the next turn, crashed agents gone at once, pinned findings for every newcomer.
@Suite struct AwarenessTests {
    /// One hook event, built here, through the real binary.
    @discardableResult
    static func hook(_ scratch: Scratch, _ agent: String, _ event: [String: Any], in directory: String,
                     env: [String: String] = [:]) throws -> HookRun {
        var payload = event
        payload["cwd"] = directory
        let result = try scratch.coord(["hook", agent], in: directory, env: ["CLAUDE_PROJECT_DIR": directory].merging(env) { $1 },
                                       stdin: try JSONSerialization.data(withJSONObject: payload))
        #expect(result.status == 0, "\(result)")
        return HookRun(result: result)
    }

    static func start(_ scratch: Scratch, _ id: String, in directory: String, env: [String: String] = [:]) throws -> HookRun {
        try hook(scratch, "claude", ["session_id": id, "hook_event_name": "SessionStart", "source": "startup"], in: directory, env: env)
    }

    static func prompt(_ scratch: Scratch, _ id: String, _ text: String, title: String? = nil, in directory: String) throws -> HookRun {
        var event: [String: Any] = ["session_id": id, "hook_event_name": "UserPromptSubmit", "prompt": text]
        if let title { event["session_title"] = title }
        return try hook(scratch, "claude", event, in: directory)
    }

    // MARK: Names

    @Test func sessionsAreNamedAfterWhereTheyWork() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let ui = try scratch.addWorktree("ui", branch: "ui/fixes")
        let first = try scratch.coordOK("start", in: ui)
        let second = try scratch.coordOK("start", in: ui)
        let names = Dictionary(try scratch.sessionsJSON().map { ($0["id"] as! String, $0["name"] as! String) }) { a, _ in a }
        #expect(names[first] == "ui-fixes" && names[second] == "ui-fixes-2", "\(names)")
        try Self.start(scratch, "agent-1", in: ui)
        try Self.start(scratch, "agent-2", in: ui, env: ["GIT_COORD_NAME": "reviewer"])
        let all = Set(try scratch.sessionsJSON().map { $0["name"] as! String })
        #expect(all == ["ui-fixes", "ui-fixes-2", "ui-fixes-3", "reviewer"], "\(all)")
        try scratch.git("checkout", "-q", "--detach", in: ui)
        #expect(try scratch.coordOK("start", in: ui).count == 12)
        #expect(try scratch.sessionsJSON().contains { $0["name"] as? String == "ui" }, "detached: the worktree's folder")
    }

    @Test func sendTakesAnUnambiguousPrefixAndSuggestsCloseNames() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice")
        let other = try scratch.addWorktree("other")
        try scratch.coordOK("start", "--name", "feature-nav", in: other)
        try scratch.coordOK("start", "--name", "feature-docs", in: other)
        let prefixed = try scratch.coord(["send", "--session", alice, "feature-n", "hi"])
        #expect(prefixed.succeeded, "\(prefixed)")
        let ambiguous = try scratch.coord(["send", "--session", alice, "feature", "hi"])
        #expect(ambiguous.status == 128 && ambiguous.stderr.contains("could be any of"), "\(ambiguous)")
        let typo = try scratch.coord(["send", "--session", alice, "featrue-nav", "hi"])
        #expect(typo.status == 128 && typo.stderr.contains("did you mean 'feature-nav'?"), "\(typo)")
    }

    // MARK: Tasks

    @Test func theTaskComesFromTheTitleThenThePromptAndNeverOverridesTheSession() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        func task(_ id: String) throws -> String? {
            try scratch.sessionsJSON().first { ($0["agentSession"] as? String) == id }?["task"] as? String
        }
        try Self.start(scratch, "s1", in: scratch.repo)
        try Self.prompt(scratch, "s1", "\n  Fix the flaky parser test in tests/parser\nand then the docs", in: scratch.repo)
        #expect(try task("s1") == "Fix the flaky parser test in tests/parser", "the first line of the first prompt")
        try Self.prompt(scratch, "s1", "Now something else", in: scratch.repo)
        #expect(try task("s1") == "Fix the flaky parser test in tests/parser", "only the first prompt")
        try Self.prompt(scratch, "s1", "go on", title: "Fix flaky parser test", in: scratch.repo)
        #expect(try task("s1") == "Fix flaky parser test", "the agent's title replaces the prompt's line")

        // A transcript with the title Claude Code appends, when the event carries none.
        let transcript = scratch.root + "/transcript.jsonl"
        try (#"{"type":"user","message":"x"}"# + "\n" + #"{"type":"ai-title","aiTitle":"Restyle the sidebar"}"# + "\n")
            .write(toFile: transcript, atomically: true, encoding: .utf8)
        try Self.start(scratch, "s2", in: scratch.repo)
        try Self.hook(scratch, "claude", ["session_id": "s2", "hook_event_name": "UserPromptSubmit", "prompt": "do it",
                                          "transcript_path": transcript], in: scratch.repo)
        #expect(try task("s2") == "Restyle the sidebar")

        // What the session says itself wins, for good.
        let id = try #require(try scratch.sessionsJSON().first { ($0["agentSession"] as? String) == "s2" }?["id"] as? String)
        try scratch.coordOK("task", "--session", id, "My own words")
        try Self.prompt(scratch, "s2", "x", title: "Another title", in: scratch.repo)
        #expect(try task("s2") == "My own words")

        // coord.taskFromPrompt=false: no prompt ever becomes a task.
        try scratch.git("config", "coord.taskFromPrompt", "false")
        try Self.start(scratch, "s3", in: scratch.repo)
        try Self.prompt(scratch, "s3", "my secret token is hunter2", in: scratch.repo)
        #expect(try task("s3") == "")
    }

    // MARK: Arrivals and departures

    @Test func aLiveSessionIsToldOnceWhoJoinedAndWhoLeft() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let other = try scratch.addWorktree("other", branch: "feature/nav")
        try Self.start(scratch, "alice", in: scratch.repo)
        #expect(try Self.prompt(scratch, "alice", "hello", in: scratch.repo).context == nil, "nothing new")
        try Self.start(scratch, "bob", in: other)
        try Self.prompt(scratch, "bob", "Add the nav item", in: other)
        let told = try Self.prompt(scratch, "alice", "next", in: scratch.repo).context ?? ""
        #expect(told.contains("joined: session \"feature-nav\" (claude), on branch \"feature/nav\""), "\(told)")
        #expect(told.contains("Add the nav item"), "with its task: \(told)")
        #expect(try Self.prompt(scratch, "alice", "again", in: scratch.repo).context == nil, "once")

        try Self.hook(scratch, "claude", ["session_id": "bob", "hook_event_name": "SessionEnd", "reason": "other"], in: other)
        let ended = try Self.prompt(scratch, "alice", "and now", in: scratch.repo).context ?? ""
        #expect(ended.contains("session \"feature-nav\" ended"), "\(ended)")

        // A restart (a session of the same name ends, a new one joins) is one line; a session that came and went
        // between two turns is not mentioned.
        try Self.start(scratch, "carol", in: other, env: ["GIT_COORD_NAME": "carol"])
        _ = try Self.prompt(scratch, "alice", "see carol", in: scratch.repo)
        try Self.hook(scratch, "claude", ["session_id": "carol", "hook_event_name": "SessionEnd", "reason": "other"], in: other)
        try Self.start(scratch, "carol-again", in: other, env: ["GIT_COORD_NAME": "carol"])
        try Self.start(scratch, "dave", in: other, env: ["GIT_COORD_NAME": "dave"])
        try Self.hook(scratch, "claude", ["session_id": "dave", "hook_event_name": "SessionEnd", "reason": "other"], in: other)
        let folded = try Self.prompt(scratch, "alice", "what changed", in: scratch.repo).context ?? ""
        #expect(folded.contains("restarted: session \"carol\"") && !folded.contains("ended") && !folded.contains("dave"), "\(folded)")
    }

    // MARK: Liveness

    @Test func aKilledAgentsSessionAndClaimsStopCountingAtOnce() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        // The "agent": a process that runs the SessionStart hook, claims a file through its session, then waits.
        let payload = #"{"session_id":"doomed","hook_event_name":"SessionStart","source":"startup","cwd":"\#(scratch.repo)"}"#
        let script = """
            import subprocess, sys, time
            subprocess.run([sys.argv[1], "hook", "claude"], input=sys.argv[2].encode(), check=True, capture_output=True)
            print("ready", flush=True)
            time.sleep(120)
            """
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        agent.arguments = ["-c", script, coordBinary, payload]
        agent.currentDirectoryURL = URL(fileURLWithPath: scratch.repo)
        agent.environment = scratch.environment
        let output = Pipe()
        agent.standardOutput = output
        try agent.run()
        defer { if agent.isRunning { agent.terminate() } }
        _ = output.fileHandleForReading.availableData  // "ready": the hook ran
        let doomed = try #require(try scratch.sessionsJSON().first { ($0["agentSession"] as? String) == "doomed" })
        let id = try #require(doomed["id"] as? String)
        #expect(doomed["state"] as? String == "live")
        try scratch.coordOK("claim", "--session", id, "README.md")
        // Another agent, in its own worktree, about to edit the claimed file: asked while the holder lives.
        let other = try scratch.addWorktree("other")
        try Self.start(scratch, "bystander", in: other)
        let edit: [String: Any] = ["session_id": "bystander", "hook_event_name": "PreToolUse", "tool_name": "Edit",
                                   "tool_use_id": "toolu_1",
                                   "tool_input": ["file_path": other + "/README.md", "old_string": "a", "new_string": "b"]]
        let before = try Self.hook(scratch, "claude", edit, in: other)
        #expect(before.decision == "ask" && before.reason?.contains("claimed by another live session") == true, "\(before.result)")

        kill(agent.processIdentifier, SIGKILL)
        agent.waitUntilExit()
        let after = try #require(try scratch.sessionsJSON().first { ($0["id"] as? String) == id })
        #expect(after["state"] as? String == "stale", "gone at once, not after coord.sessionTTL: \(after)")
        let edited = try Self.hook(scratch, "claude", edit, in: other)
        #expect(edited.result.stdout.isEmpty, "its claim no longer stops an edit: \(edited.result)")
        #expect(!(try scratch.coordOK("list")).contains(id.prefix(6)))
        let mine = try scratch.coordOK("start", "--name", "survivor")
        #expect(try scratch.coord(["claim", "--session", mine, "README.md"]).succeeded, "its claim no longer blocks")

        // The same agent session resumed in a new process is live again, under its name.
        try Self.start(scratch, "doomed", in: scratch.repo)
        #expect(try scratch.sessionsJSON().first { ($0["id"] as? String) == id }?["state"] as? String == "live")
    }

    // MARK: Pins

    @Test func pinsReachEveryNewSessionUntilUnpinned() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice")
        let id = try scratch.coordOK("pin", "--session", alice, "Auth lives in src/auth/; the session store is src/lib/session.ts")
        #expect(id.count == 12)
        let listed = try JSONSerialization.jsonObject(with: Data(try scratch.coordOK("pins", "--json").utf8)) as? [String: Any]
        let pins = listed?["pins"] as? [[String: Any]] ?? []
        #expect(listed?["schema"] as? String == "git-coord.pins/1" && pins.count == 1 && pins.first?["byName"] as? String == "alice")

        let newcomer = try Self.start(scratch, "newcomer", in: scratch.addWorktree("later"))
        #expect(newcomer.context?.contains("Auth lives in src/auth/") == true, "\(newcomer.result)")
        #expect(newcomer.context?.contains("[\(id)]") == true)

        // Bounded: a hundred long pins leave the SessionStart context within the agent's limit.
        for n in 0..<100 { try scratch.coordOK("pin", "--session", alice, "finding \(n): " + String(repeating: "x", count: 400)) }
        let crowded = try Self.start(scratch, "crowded", in: scratch.repo)
        #expect((crowded.context?.count ?? 0) <= 10_000)
        #expect(crowded.context?.contains("more: `git coord pins`") == true)

        try scratch.coordOK("unpin", String(id.prefix(6)))
        #expect(!(try scratch.coordOK("pins")).contains("Auth lives"))
        #expect(try scratch.coordOK("pins", "--all").contains("unpinned by"))
        let unknown = try scratch.coord(["unpin", "zzzz"])
        #expect(unknown.status == 128 && unknown.stderr.contains("hint: see 'git coord pins'"), "\(unknown)")
        let late = try Self.start(scratch, "late", in: scratch.repo)
        #expect(late.context?.contains("Auth lives") == false)
    }

    @Test func pinsAndUnpinsTravelBetweenClones() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        for clone in lab.clones { try scratch.coordOK("init", "--remote", "origin", in: clone) }
        let alice = try scratch.coordOK("start", "--name", "alice", in: lab.clones[0])
        let id = try scratch.coordOK("pin", "--session", alice, "The API is versioned under /v2", in: lab.clones[0])
        try scratch.coordOK("sync", in: lab.clones[0])
        try scratch.coordOK("sync", in: lab.clones[1])
        #expect(try scratch.coordOK("pins", in: lab.clones[1]).contains("The API is versioned"))
        // Unpinned in both clones while apart: the fork settles, and it stays unpinned everywhere.
        try scratch.coordOK("unpin", id, in: lab.clones[1])
        try scratch.coordOK("unpin", id, in: lab.clones[0])
        for clone in lab.clones + lab.clones {
            let synced = try scratch.coord(["sync"], in: clone)
            #expect(synced.status == 0, "\(synced)")
        }
        for clone in lab.clones { #expect(!(try scratch.coordOK("pins", in: clone)).contains("versioned"), "\(clone)") }
    }
}
