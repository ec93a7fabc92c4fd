import CoordTestSupport
import Foundation

/// Issue 5's target: the PreToolUse handler, which an agent runs before every edit, on a repository with 20 live
/// sessions holding 1,000 claims, within 2x of `git for-each-ref refs/coord`. The sessions are agent sessions, as in
/// real use: each started by its agent's SessionStart hook and recording its agent's process, which every hook that
/// lists sessions looks up in /proc (a killed agent's session is gone at once). Also printed, for the record: what
/// those lookups cost against sessions started from the command line (no process to look up), the other hooks, and
/// the start-up of `git-coord-mcp` (the MCP SDK linked in) against `git-coord`'s, which is why the MCP server is a
/// separate executable.
enum AgentHookBenchmark {
    /// A repository with `others` sessions of 50 claims each besides the agent's own (in its worktree "agent",
    /// registered by its SessionStart hook, 50 claims too). With `agents`, each of the others is an agent session
    /// too, started by the hook from a process of its own that stays alive (`Agents`); else `git coord start`.
    struct Populated {
        let scratch: Scratch
        let worktree: String
        let agents: Agents

        init(others: Int, agents withAgents: Bool) {
            scratch = try! Scratch()
            agents = Agents(scratch)
            mustRun(scratch, coordBinary, ["init"])
            for index in 0..<others {
                let id = withAgents
                    ? agents.start(name: "s\(index)", task: "task number \(index)")
                    : try! scratch.coordOK("start", "--name", "s\(index)", "--task", "task number \(index)",
                                           env: ["GIT_COORD_SESSION": ""])
                mustRun(scratch, coordBinary, ["claim", "--session", id] + (0..<50).map { "area\(index)/file\($0).js" })
            }
            worktree = try! scratch.addWorktree("agent")
            // The agent's own process is this one (the hook's parent), alive throughout.
            mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree,
                    stdin: event("start", #""hook_event_name":"SessionStart","source":"startup""#))
            // Its git-coord session id, from the arbiter ref its SessionStart wrote; it holds 50 claims too.
            let agentID = try! scratch.git("cat-file", "-p", "refs/coord/v1/agents/claude/bench-agent:record.json")
                .components(separatedBy: "\"session\":\"")[1].prefix(12)
            mustRun(scratch, coordBinary, ["claim", "--session", String(agentID)] + (0..<50).map { "mine/file\($0).js" },
                    in: worktree)
            InboxCostBenchmark.Store.waitForPacking(scratch.repo)
        }

        /// A hook event of the bench's agent session, in a file (the hook's stdin).
        func event(_ name: String, _ body: String) -> String {
            let path = scratch.root + "/\(name).json"
            try! """
                {"session_id":"bench-agent","transcript_path":"/tmp/t.jsonl","cwd":"\(worktree)","permission_mode":"default",\(body)}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Live sessions, and how many record a process.
        var census: (sessions: Int, withProcess: Int) {
            let list = try! scratch.coordOK("list", "--json")
            return (list.components(separatedBy: "\"id\"").count - 1,
                    Int(try! scratch.git("for-each-ref", "--format=%(objectname)", "refs/coord/v1/sessions").split(separator: "\n")
                        .filter { (try? scratch.git("cat-file", "-p", "\($0):record.json").contains("\"process\":{")) == true }.count))
        }

        func edit(_ file: String) -> String {
            #""hook_event_name":"PreToolUse","tool_name":"Edit","tool_use_id":"toolu_1","tool_input":{"file_path":"\#(worktree)/\#(file)","old_string":"a","new_string":"b"}"#
        }
    }

    /// Agents for the bench's sessions: each a process of its own that runs its SessionStart hook and stays alive
    /// (`sleep`, exec'd in place: same pid, same start time), so its session records a live process. The process is a
    /// shell under a name of its own, since the hook takes its first ancestor that is not a shell or launcher for the
    /// agent.
    final class Agents {
        let scratch: Scratch
        private(set) var pids: [pid_t] = []
        private let shell: String

        init(_ scratch: Scratch) {
            self.scratch = scratch
            shell = scratch.root + "/bench-agent"
            try? FileManager.default.createSymbolicLink(atPath: shell, withDestinationPath: "/bin/sh")
        }

        deinit {
            for pid in pids {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            }
        }

        /// Starts an agent session named `name` through its SessionStart hook; returns its git-coord session id.
        func start(name: String, task: String) -> String {
            let key = "bench-\(name)"
            let event = scratch.root + "/\(key).json"
            try! #"{"session_id":"\#(key)","hook_event_name":"SessionStart","source":"startup","cwd":"\#(scratch.repo)"}"#
                .write(toFile: event, atomically: true, encoding: .utf8)
            var environment = scratch.environment
            environment["GIT_COORD_NAME"] = name
            guard let pid = startQuietly(shell, ["-c", #""$0" hook claude <"$1" && exec sleep 3600"#, coordBinary, event],
                                         in: scratch.repo, environment: environment) else { preconditionFailure("cannot start \(shell)") }
            pids.append(pid)
            // Done once the shell became `sleep` (or exited: the hook failed).
            var comm = ""
            for _ in 0..<1000 {
                comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
                if comm == "sleep\n" || comm.isEmpty { break }
                usleep(2_000)
            }
            precondition(comm == "sleep\n", "the SessionStart hook of \(name) failed")
            let id = try! scratch.git("cat-file", "-p", "refs/coord/v1/agents/claude/\(key):record.json")
                .components(separatedBy: "\"session\":\"")[1].prefix(12)
            mustRun(scratch, coordBinary, ["task", "--session", String(id), task])
            return String(id)
        }
    }

    static func run() {
        let populated = Populated(others: 19, agents: true)
        // Its agents stay alive to the end, the MCP rows included.
        withExtendedLifetime(populated) { measure(populated) }
        processLookups(others: 19)
        processLookups(others: 49)
    }

    static func measure(_ populated: Populated) {
        let scratch = populated.scratch, worktree = populated.worktree, event = populated.event
        let census = populated.census
        Measure.line("agent hooks: \(census.sessions) live sessions (\(census.withProcess) recording their agent's live process), "
                     + "\((try! scratch.git("for-each-ref", "refs/coord/v1/claims")).split(separator: "\n").count) claims")
        let edit = populated.edit
        let free = event("pre-free", edit("src/app.js"))
        let claimed = event("pre-claimed", edit("area0/file7.js"))
        let prompt = event("prompt", #""hook_event_name":"UserPromptSubmit","prompt":"go on""#)
        let post = event("post", #""hook_event_name":"PostToolUse","tool_name":"Read","tool_use_id":"toolu_2","tool_input":{"file_path":"\#(worktree)/README.md"},"tool_response":{},"duration_ms":3"#)

        let forEachRef = Measure.median { mustRun(scratch, "/usr/bin/git", ["for-each-ref", "refs/coord"], in: worktree) }
        let preFree = Measure.median { mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree, stdin: free) }
        let preClaimed = Measure.median { mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree, stdin: claimed) }
        // A hostile path (100,000 components) is refused in linear time: it once cost 57 s and 10 GB.
        let deep = event("pre-deep", edit(String(repeating: "a/", count: 100_000) + "x"))
        let (deepTime, freeTime) = Measure.medians(
            { mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree, stdin: deep) },
            { mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree, stdin: free) })
        Measure.report("hook claude PreToolUse, 100,000-component path", ours: deepTime, baseline: freeTime,
                       baselineLabel: "a free file", target: 3.0)
        let promptTime = Measure.median { mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree, stdin: prompt) }
        Measure.report("hook claude PreToolUse, free file (allow)", ours: preFree, baseline: forEachRef,
                       baselineLabel: "git for-each-ref refs/coord", target: 2.0)
        Measure.report("hook claude PreToolUse, claimed file (ask)", ours: preClaimed, baseline: forEachRef,
                       baselineLabel: "git for-each-ref refs/coord", target: 2.0)
        let postTime = Measure.median { mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree, stdin: post) }
        Measure.line(String(format: "  hook claude UserPromptSubmit, nothing unread: %.2f ms; PostToolUse (Read), nothing unread: %.2f ms",
                            promptTime * 1000, postTime * 1000))

        largeWorktreeEdit()

        let mcpBinary = URL(fileURLWithPath: coordBinary).deletingLastPathComponent().appendingPathComponent("git-coord-mcp").path
        if FileManager.default.isExecutableFile(atPath: mcpBinary) {
            let coordStart = Measure.median { mustRun(scratch, coordBinary, ["--version"], in: worktree) }
            let mcpStart = Measure.median { mustRun(scratch, mcpBinary, ["--version"], in: worktree) }
            Measure.line(String(format: "  start-up: git-coord --version %.2f ms, git-coord-mcp --version (MCP SDK, full Foundation) %.2f ms",
                                coordStart * 1000, mcpStart * 1000))
            MCPBenchmark.run(in: scratch, worktree: worktree, mcpBinary: mcpBinary)
        }
    }

    /// What looking up the agents' processes costs a hook: PreToolUse on a free file among `others` agent sessions,
    /// each recording a live process, against the same among sessions started from the command line (nothing to
    /// look up but the bench's own agent), run alternately.
    static func processLookups(others: Int) {
        let agents = Populated(others: others, agents: true)
        let plain = Populated(others: others, agents: false)
        let withProcesses = agents.event("pre-free", agents.edit("src/app.js"))
        let without = plain.event("pre-free", plain.edit("src/app.js"))
        let (agentTime, plainTime) = Measure.medians(
            runs: 41,
            { mustRun(agents.scratch, coordBinary, ["hook", "claude"], in: agents.worktree, stdin: withProcesses) },
            { mustRun(plain.scratch, coordBinary, ["hook", "claude"], in: plain.worktree, stdin: without) })
        Measure.line(String(format: "  hook claude PreToolUse, free file, %d other sessions: %.2f ms as agent sessions with a live "
                                + "process each, %.2f ms started from the CLI (%+.2f ms)",
                            others, agentTime * 1000, plainTime * 1000, (agentTime - plainTime) * 1000))
    }

    /// PostToolUse after an edit, in a worktree of 20,000 committed files, against `git status` there: the hook
    /// re-checks the edited file, and scans the whole worktree only once per heartbeat interval.
    static func largeWorktreeEdit() {
        let scratch = try! Scratch()
        for folder in 0..<200 {
            try! FileManager.default.createDirectory(atPath: scratch.repo + "/src/d\(folder)", withIntermediateDirectories: true)
            for file in 0..<100 {
                try! "line \(folder) \(file)\n".write(toFile: scratch.repo + "/src/d\(folder)/f\(file).txt", atomically: false, encoding: .utf8)
            }
        }
        mustRun(scratch, "/usr/bin/git", ["add", "src"])
        mustRun(scratch, "/usr/bin/git", ["commit", "-q", "-m", "20,000 files"])
        mustRun(scratch, coordBinary, ["init"])
        let edited = scratch.repo + "/src/d7/f7.txt"
        try! "edited\n".write(toFile: edited, atomically: false, encoding: .utf8)
        let post = scratch.root + "/post-edit.json"
        try! """
            {"session_id":"bench-large","transcript_path":"/tmp/t.jsonl","cwd":"\(scratch.repo)","hook_event_name":"PostToolUse",\
            "tool_name":"Edit","tool_use_id":"toolu_3","tool_input":{"file_path":"\(edited)","old_string":"a","new_string":"b"},\
            "tool_response":{"filePath":"\(edited)","success":true}}
            """.write(toFile: post, atomically: true, encoding: .utf8)
        let (hook, status) = Measure.medians({ mustRun(scratch, coordBinary, ["hook", "claude"], stdin: post) },
                                             { mustRun(scratch, "/usr/bin/git", ["status", "--porcelain"]) })
        Measure.line(String(format: "  hook claude PostToolUse (Edit), 20,000-file worktree: %.2f ms; git status there: %.2f ms",
                            hook * 1000, status * 1000))
    }
}
