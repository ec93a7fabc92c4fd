import CoordTestSupport
import Foundation
import Testing

/// `git coord mcp`, driven by an independent client: the official MCP Python SDK (Tests/mcp/client.py), in a
/// virtualenv that scripts/mcp-venv.sh makes at the package root when it is missing.
@Suite struct MCPServerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func theOfficialPythonClientListsAndCallsEveryTool() throws {
        let scratch = try Scratch()
        let venv = try runProcess("/bin/bash", [Self.packageRoot + "/scripts/mcp-venv.sh"], in: Self.packageRoot,
                                  environment: ProcessInfo.processInfo.environment)
        try #require(venv.succeeded, "the MCP Python SDK could not be installed: \(venv)")

        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice", "--task", "Move the router")
        try scratch.coordOK("claim", "src/router.js", env: ["GIT_COORD_SESSION": alice])
        let worktree = try scratch.addWorktree("app-b")
        try scratch.coordOK("start", "--name", "bob", in: worktree)
        try scratch.coordOK("note", "Router moved to src/router", env: ["GIT_COORD_SESSION": alice])

        var env = scratch.environment
        env["GIT_COORD_SESSION"] = nil
        let client = try runProcess(Self.packageRoot + "/.venv/bin/python",
                                    [Self.packageRoot + "/Tests/mcp/client.py", worktree, "alice", "src/router.js",
                                     "Router moved to src/router", "--", coordBinary, "mcp"],
                                    in: worktree, environment: env)
        #expect(client.succeeded, "\(client)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(client.stdout.utf8)) as? [String: Any], "\(client)")
        #expect(report["tools"] as? [String] == ["check", "claim", "inbox", "list_sessions", "note", "pin", "pins", "release", "send",
                                                 "set_task", "unpin"])
        #expect(report["failures"] as? [String] == [], "\(report)")
        #expect((report["checks"] as? Int ?? 0) >= 20)

        // What the client did through the server is in the repository, seen by the CLI.
        let sessions = try JSONSerialization.jsonObject(with: Data(try scratch.coordOK("list", "--json").utf8)) as? [String: Any]
        let bob = (sessions?["sessions"] as? [[String: Any]])?.first { $0["name"] as? String == "bob" }
        #expect(bob?["task"] as? String == "Wire the MCP client in")
        #expect(!(try scratch.coordOK("claims")).contains("docs/mine.md"), "released through the server")
        let aliceInbox = try scratch.coordOK("inbox", env: ["GIT_COORD_SESSION": alice])
        #expect(aliceInbox.contains("Wired the MCP client in") && aliceInbox.contains("Your router is next"), "\(aliceInbox)")
    }

    @Test func outsideARepositoryEveryCallIsAToolErrorNotADeadServer() throws {
        let scratch = try Scratch()
        let venv = try runProcess("/bin/bash", [Self.packageRoot + "/scripts/mcp-venv.sh"], in: Self.packageRoot,
                                  environment: ProcessInfo.processInfo.environment)
        try #require(venv.succeeded, "\(venv)")
        let script = """
            import asyncio, sys
            from mcp import ClientSession, StdioServerParameters
            from mcp.client.stdio import stdio_client
            async def main():
                async with stdio_client(StdioServerParameters(command=sys.argv[1], args=["mcp"], cwd=sys.argv[2])) as (r, w):
                    async with ClientSession(r, w) as s:
                        await s.initialize()
                        for _ in range(2):
                            result = await s.call_tool("list_sessions", {})
                            error = getattr(result, "is_error", None) if hasattr(result, "is_error") else result.isError
                            print(error, result.content[0].text.replace("\\n", " "))
            asyncio.run(main())
            """
        let client = try runProcess(Self.packageRoot + "/.venv/bin/python", ["-c", script, coordBinary, scratch.root],
                                    in: scratch.root, environment: scratch.environment)
        #expect(client.succeeded, "\(client)")
        let lines = client.output.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("True error: not a git repository") }, "\(client)")
    }

    /// Codex CLI 0.163.0's initialize, byte for byte as it sends it: an experimental capability whose value is an
    /// object (the spec allows it) made the SDK answer -32603, and Codex dropped the server without a word.
    @Test func codexsInitializeIsAnsweredAndItsToolsListed() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let lines = [
            #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"experimental":{"codex/auth-change":{}},"elicitation":{"form":{},"url":{}}},"clientInfo":{"name":"codex-mcp-client","title":"Codex","version":"0.163.0"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
        ]
        let server = try runProcess(coordBinary, ["mcp"], in: scratch.repo, environment: scratch.environment,
                                    stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        let answers = server.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(answers.count == 2, "\(server)")
        let initialized = answers.first { $0["id"] as? Int == 0 }
        #expect(initialized?["error"] == nil && (initialized?["result"] as? [String: Any])?["capabilities"] != nil, "\(server)")
        let tools = ((answers.first { $0["id"] as? Int == 1 }?["result"] as? [String: Any])?["tools"] as? [[String: Any]]) ?? []
        #expect(tools.count == 11, "\(server)")
    }
}
