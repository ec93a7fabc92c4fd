import CoordTestSupport
import Foundation
import Testing

/// The waiting Stop hook, through the real binary: an "agent" is a shell that starts `git coord hook claude` as
/// Claude Code does (its pid in CLAUDE_PID), so the test can idle it, message it, pack its refs, end its input or
/// kill it. The real Claude Code and Codex CLI do the same in Tests/agents/test_wake.py.
@Suite(.serialized) struct WakeTests {
    /// One waiting hook, started by a stand-in agent process (`sh`), and what it left behind.
    final class Waiter {
        let process = Process()
        let folder: String
        let input = Pipe()

        /// `agentArguments` are appended to the agent's command line (`-p`: a one-shot run). The hook runs in a
        /// subshell (as git runs git-coord), so the agent is not its parent, and the agent's own stdin stays its own.
        init(_ scratch: Scratch, agent: String = "claude", session: String, agentArguments: [String] = [],
             environment extra: [String: String] = [:]) throws {
            folder = scratch.root + "/waiter-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let event = try AgentFixture.payload(agent, "Stop", ["SESSION_ID": session, "CWD": scratch.repo])
            try event.write(to: URL(fileURLWithPath: folder + "/event.json"))
            let hook = "'\(coordBinary)' hook \(agent) < '\(folder)/event.json' > '\(folder)/out' 2> '\(folder)/err'; echo $? > '\(folder)/status'"
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "export CLAUDE_PID=$$; (\(hook)); exec cat > /dev/null"] + agentArguments
            process.currentDirectoryURL = URL(fileURLWithPath: scratch.repo)
            var environment = scratch.environment
            environment["CLAUDE_PROJECT_DIR"] = scratch.repo
            environment.merge(extra) { $1 }
            process.environment = environment
            // Only this test may hold the agent's input open: other children must not inherit it.
            _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
            process.standardInput = input
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        /// The hook's exit status once it exited, else nil.
        var status: Int32? {
            (try? String(contentsOfFile: folder + "/status", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        var stderr: String { (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? "" }

        /// Waits up to `seconds` for the hook to exit, and returns its status.
        func exit(within seconds: Double = 10) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while status == nil && Date() < deadline { usleep(10_000) }
            return status
        }

        /// Ends the stand-in agent's input, as an SDK host ends a session.
        func endInput() throws { try input.fileHandleForWriting.close() }
    }

    func wakeFolder(_ scratch: Scratch) -> String { scratch.repo + "/.git/coord/wake" }

    /// Waits until `count` waiters are armed (their wake files exist).
    func waitUntilArmed(_ scratch: Scratch, count: Int = 1) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? FileManager.default.contentsOfDirectory(atPath: wakeFolder(scratch)))?.filter({ !$0.contains(".tmp") }).count == count { return }
            usleep(10_000)
        }
        Issue.record("no waiter armed itself")
    }

    /// A repository with coordination on, alice as a Claude Code session (agent session "alice-agent") and bob.
    func aliceAndBob() throws -> (Scratch, alice: String, bob: String) {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        _ = try scratch.hook("claude", "SessionStart", session: "alice-agent")
        let alice = try #require(try scratch.sessionsJSON().first?["name"] as? String)
        let bob = try scratch.coordOK("start", "--name", "bob")
        return (scratch, alice, bob)
    }

    @Test func aDirectMessageWakesAnIdleSessionWithItOnce() throws {
        let (scratch, alice, bob) = try aliceAndBob()
        let waiter = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        // A note does not wake (coord.wakeOn defaults to messages); the waiter is still there after it.
        try scratch.coordOK("note", "bob renamed the parser module", env: ["GIT_COORD_SESSION": bob])
        usleep(300_000)
        #expect(waiter.status == nil, "a note woke the session: \(waiter.stderr)")

        try scratch.coordOK("send", alice, "alice, please review my router", env: ["GIT_COORD_SESSION": bob])
        #expect(waiter.exit() == 2, "exit 2 wakes Claude Code: \(waiter.stderr)")
        let woken = waiter.stderr
        #expect(woken.hasPrefix("git-coord: new for this session"), "stderr is the model's text, alone: \(woken)")
        #expect(woken.components(separatedBy: "alice, please review my router").count == 2, "\(woken)")
        #expect(woken.contains("bob renamed the parser module"), "what waited comes along: \(woken)")
        #expect(!FileManager.default.fileExists(atPath: wakeFolder(scratch) + "/claude-alice-agent"), "disarmed on the way out")

        // Delivered once: the woken turn's prompt hook and the inbox have nothing more.
        let prompt = try scratch.hook("claude", "UserPromptSubmit", session: "alice-agent")
        #expect(prompt.context?.contains("please review my router") != true, "\(prompt.result)")
        #expect(try scratch.coordOK("inbox", "--peek", "--session", alice).isEmpty)
    }

    @Test func aMessageThatCameDuringTheTurnWakesAtOnce() throws {
        let (scratch, alice, bob) = try aliceAndBob()
        try scratch.coordOK("send", alice, "while you were busy", env: ["GIT_COORD_SESSION": bob])
        let waiter = try Waiter(scratch, session: "alice-agent")
        #expect(waiter.exit() == 2 && waiter.stderr.contains("while you were busy"), "\(waiter.stderr)")
    }

    @Test func packedRefsDoNotHideAMessage() throws {
        let (scratch, alice, bob) = try aliceAndBob()
        try scratch.coordOK("note", "first", env: ["GIT_COORD_SESSION": bob])
        let waiter = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        try scratch.git("pack-refs", "--all")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.git/refs/coord/v1/log"), "the logs were packed")
        usleep(200_000)
        #expect(waiter.status == nil, "packing alone wakes nobody: \(waiter.stderr)")
        try scratch.coordOK("send", alice, "after packing", env: ["GIT_COORD_SESSION": bob])
        #expect(waiter.exit() == 2 && waiter.stderr.contains("after packing"), "\(waiter.stderr)")

        // A message written while everything is packed, and packed before the waiter starts, is found too.
        try scratch.coordOK("send", alice, "packed before the wait", env: ["GIT_COORD_SESSION": bob])
        try scratch.git("pack-refs", "--all")
        let next = try Waiter(scratch, session: "alice-agent")
        #expect(next.exit() == 2 && next.stderr.contains("packed before the wait"), "\(next.stderr)")
    }

    @Test func coordWakeOnChoosesWhatWakes() throws {
        let (scratch, _, bob) = try aliceAndBob()
        try scratch.git("config", "coord.wakeOn", "notes")
        let waiter = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        try scratch.coordOK("note", "a note for everyone", env: ["GIT_COORD_SESSION": bob])
        #expect(waiter.exit() == 2 && waiter.stderr.contains("a note for everyone"), "\(waiter.stderr)")

        try scratch.git("config", "coord.wakeOn", "none")
        let idle = try Waiter(scratch, session: "alice-agent")
        #expect(idle.exit() == 0 && idle.stderr.isEmpty, "nothing to wait for: \(idle.stderr)")

        try scratch.git("config", "coord.wakeOn", "sometimes")
        let fallback = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        try fallback.endInput()
        #expect(fallback.exit() == 0)
        #expect(fallback.stderr.contains("coord.wakeOn is 'sometimes'"), "\(fallback.stderr)")
    }

    @Test func aOneShotRunIsLeftAloneAtOnce() throws {
        let (scratch, alice, bob) = try aliceAndBob()
        try scratch.coordOK("send", alice, "not for a one-shot run", env: ["GIT_COORD_SESSION": bob])
        // `claude -p`: Stop runs in the foreground there, so a waiting hook would hang the run.
        let oneShot = try Waiter(scratch, session: "alice-agent", agentArguments: ["-p"])
        #expect(oneShot.exit(within: 5) == 0 && oneShot.stderr.isEmpty, "\(oneShot.stderr)")
        #expect(try scratch.coordOK("inbox", "--peek", "--session", alice).contains("not for a one-shot run"), "left unread")
        // `-p` with stream-json input is an SDK session, which stays: it is woken.
        let sdk = try Waiter(scratch, session: "alice-agent", agentArguments: ["-p", "--input-format", "stream-json"])
        #expect(sdk.exit() == 2 && sdk.stderr.contains("not for a one-shot run"), "\(sdk.stderr)")
        // No agent process named at all (not inside Claude Code): nothing to wait for.
        let none = try scratch.coord(["hook", "claude"], env: ["CLAUDE_PID": ""],
                                     stdin: try AgentFixture.payload("claude", "Stop", ["SESSION_ID": "alice-agent", "CWD": scratch.repo]))
        #expect(none.status == 0 && none.stderr.isEmpty, "\(none)")
    }

    @Test func theWaitEndsWithTheSessionsNextHookOrANewerWait() throws {
        let (scratch, _, _) = try aliceAndBob()
        let first = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        let second = try Waiter(scratch, session: "alice-agent")
        #expect(first.exit() == 0, "a newer wait replaces the older one")
        #expect(second.status == nil)
        _ = try scratch.hook("claude", "UserPromptSubmit", session: "alice-agent")
        #expect(second.exit() == 0, "the session is busy again: \(second.stderr)")
        let third = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        _ = try scratch.hook("claude", "SessionEnd", session: "alice-agent")
        #expect(third.exit() == 0, "the session ended")
    }

    @Test func theWaiterNeverOutlivesItsAgent() throws {
        let (scratch, _, _) = try aliceAndBob()
        // Killed: the hook's parent (the subshell) lives on, so only the agent's pidfd can tell.
        let killed = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        kill(killed.process.processIdentifier, SIGKILL)
        #expect(killed.exit(within: 5) == 0, "the hook outlived its killed agent")
        // The agent's input ends (an SDK host closing the session): Claude Code would wait for the hook, so it leaves.
        let ended = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        try ended.endInput()
        #expect(ended.exit(within: 5) == 0)
        // Coordination turned off: the wake files go, and every waiter with them.
        let off = try Waiter(scratch, session: "alice-agent")
        try waitUntilArmed(scratch)
        try scratch.coordOK("init", "--uninstall")
        #expect(off.exit(within: 5) == 0)
        #expect(!FileManager.default.fileExists(atPath: wakeFolder(scratch)),
                "\(String(describing: try? FileManager.default.subpathsOfDirectory(atPath: scratch.repo + "/.git/coord")))")
    }

    @Test func codexIsNudgedThroughItsOwnQueueOnlyWhereAnAppServerHostsIt() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        _ = try scratch.hook("codex", "SessionStart", session: "thread-1")
        let alice = try #require(try scratch.sessionsJSON().first?["name"] as? String)
        let bob = try scratch.coordOK("start", "--name", "bob")
        try scratch.coordOK("send", alice, "secret words of bob", env: ["GIT_COORD_SESSION": bob])
        // A stand-in for Codex: a process named codex (bash under that name). `<its executable> queue ...` then runs
        // the script named queue in the repository, which records its arguments.
        let codex = scratch.root + "/bin/codex"
        try FileManager.default.createDirectory(atPath: scratch.root + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: codex, withDestinationPath: "/bin/bash")
        try scratch.write("queue", "printf '%s\\n' \"$@\" > \"\(scratch.root)/queued\"\n")
        let event = try AgentFixture.payload("codex", "UserPromptSubmit", ["SESSION_ID": "thread-1", "CWD": scratch.repo])
            .replacingJSONEvent(with: "Stop")
        try event.write(to: URL(fileURLWithPath: scratch.root + "/stop.json"))
        func run(_ codexArguments: [String]) throws -> ProcessResult {
            let script = "'\(coordBinary)' hook codex < '\(scratch.root)/stop.json'; echo status $?"
            return try runProcess(codex, ["-c", script] + codexArguments, in: scratch.repo, environment: scratch.environment)
        }
        // `codex exec`, or a TUI with its own embedded server: nothing can start a turn; nothing is done.
        let exec = try run(["exec"])
        #expect(exec.stdout == "status 0\n" && !FileManager.default.fileExists(atPath: scratch.root + "/queued"), "\(exec)")
        // Hosted by an app-server: the message is there already, so a turn is queued at once, with a nudge that
        // carries nothing bob wrote; the turn's prompt hook delivers the message.
        let hosted = try run(["app-server", "--listen", "unix://"])
        #expect(hosted.stdout == "status 0\n", "\(hosted)")
        let queued = try String(contentsOfFile: scratch.root + "/queued", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Array(queued.prefix(4)) == ["--thread", "thread-1", "--message", queued[3]] && queued.count == 4, "\(queued)")
        #expect(queued[3].hasPrefix("git-coord: A direct message") && !queued[3].contains("secret"), "\(queued)")
        let prompt = try scratch.hook("codex", "UserPromptSubmit", session: "thread-1")
        #expect(prompt.context?.contains("secret words of bob") == true, "\(prompt.result)")
    }
}

extension Data {
    /// A hook event with another `hook_event_name`.
    func replacingJSONEvent(with name: String) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: self) as? [String: Any])
        object["hook_event_name"] = name
        return try JSONSerialization.data(withJSONObject: object)
    }
}
