import CoordTestSupport
import Foundation

/// One MCP tool call (`list_sessions`) to a `git-coord-mcp` server that was idle, waiting for its next request,
/// against a whole `git coord list` process in the same repository (issue 15: the SDK's stdio transport used to
/// sleep 10 ms after each empty read).
enum MCPBenchmark {
    static func run(in scratch: Scratch, worktree: String, mcpBinary: String) {
        guard let server = Server(mcpBinary, in: worktree, environment: scratch.environment) else {
            Measure.line("  (could not start \(mcpBinary))")
            return
        }
        defer { server.stop() }
        server.request(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"coord-bench","version":"1"}}}"#)
        server.notify(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        var id = 1
        let call = {
            usleep(30_000)  // idle: the server is waiting for input, as between a model's tool calls
            id += 1
            let start = DispatchTime.now().uptimeNanoseconds
            server.request(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"list_sessions","arguments":{}}}"#)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        var calls: [Double] = []
        var lists: [Double] = []
        _ = call()
        for _ in 0..<21 {
            calls.append(call())
            usleep(30_000)
            let start = DispatchTime.now().uptimeNanoseconds
            mustRun(scratch, coordBinary, ["list"], in: worktree)
            lists.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        Measure.report("MCP tools/call list_sessions, idle server, 20 sessions", ours: calls.sorted()[10], baseline: lists.sorted()[10],
                       baselineLabel: "git coord list (a process)", target: 1.0)
    }

    /// A server on two pipes, one JSON-RPC message per line.
    final class Server {
        let pid: pid_t
        let input: Int32
        let output: Int32
        private var buffer: [UInt8] = []

        init?(_ executable: String, in directory: String, environment: [String: String]) {
            var toServer: [Int32] = [0, 0]
            var fromServer: [Int32] = [0, 0]
            guard pipe(&toServer) == 0, pipe(&fromServer) == 0 else { return nil }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, toServer[0], 0)
            posix_spawn_file_actions_adddup2(&actions, fromServer[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            for fd in toServer + fromServer { posix_spawn_file_actions_addclose(&actions, fd) }
            let argv = [strdup(executable)] + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            let previous = FileManager.default.currentDirectoryPath
            guard chdir(directory) == 0 else { return nil }
            defer { _ = chdir(previous) }
            var pid = pid_t()
            guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { return nil }
            self.pid = pid
            close(toServer[0])
            close(fromServer[1])
            input = toServer[1]
            output = fromServer[0]
        }

        func notify(_ line: String) {
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
        }

        /// Sends a request and reads lines until its answer (one with a result or an error).
        func request(_ line: String) {
            notify(line)
            while true {
                let answer = readLine()
                if answer.contains("\"result\"") || answer.contains("\"error\"") { return }
            }
        }

        private func readLine() -> String {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                precondition(count > 0, "the MCP server closed its output")
                buffer += chunk[..<count]
            }
        }

        func stop() {
            close(input)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            close(output)
        }
    }
}
