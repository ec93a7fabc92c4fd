import CoordTestSupport
import Foundation

/// Issue 5's target: the PreToolUse handler, which an agent runs before every edit, on a repository with 20 live
/// sessions holding 1,000 claims, within 2x of `git for-each-ref refs/coord`. Also printed, for the record: the
/// other hooks, and the start-up of `git-coord-mcp` (the MCP SDK linked in) against `git-coord`'s, which is why
/// the MCP server is a separate executable.
enum AgentHookBenchmark {
    static func run() {
        let scratch = try! Scratch()
        mustRun(scratch, coordBinary, ["init"])
        for index in 0..<19 {
            let id = try! scratch.coordOK("start", "--name", "s\(index)", "--task", "task number \(index)",
                                          env: ["GIT_COORD_SESSION": ""])
            mustRun(scratch, coordBinary, ["claim", "--session", id] + (0..<50).map { "area\(index)/file\($0).js" })
        }
        // The 20th session is the agent's own, in its own worktree, registered by its SessionStart hook.
        let worktree = try! scratch.addWorktree("agent")
        let event = { (name: String, body: String) -> String in
            let path = scratch.root + "/\(name).json"
            try! """
                {"session_id":"bench-agent","transcript_path":"/tmp/t.jsonl","cwd":"\(worktree)","permission_mode":"default",\(body)}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree,
                stdin: event("start", #""hook_event_name":"SessionStart","source":"startup""#))
        // Its git-coord session id, from the arbiter ref its SessionStart wrote; it holds 50 claims too.
        let agentID = try! scratch.git("cat-file", "-p", "refs/coord/v1/agents/claude/bench-agent:record.json")
            .components(separatedBy: "\"session\":\"")[1].prefix(12)
        mustRun(scratch, coordBinary, ["claim", "--session", String(agentID)] + (0..<50).map { "mine/file\($0).js" }, in: worktree)
        InboxCostBenchmark.Store.waitForPacking(scratch.repo)
        let sessions = (try! scratch.coordOK("list", "--json")).components(separatedBy: "\"id\"").count - 1
        let claims = (try! scratch.git("for-each-ref", "refs/coord/v1/claims")).split(separator: "\n").count
        Measure.line("agent hooks: \(sessions) live sessions, \(claims) claims")

        let edit = { (file: String) in
            #""hook_event_name":"PreToolUse","tool_name":"Edit","tool_use_id":"toolu_1","tool_input":{"file_path":"\#(worktree)/\#(file)","old_string":"a","new_string":"b"}"#
        }
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
