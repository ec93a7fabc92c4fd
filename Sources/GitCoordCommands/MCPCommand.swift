import ArgumentParser
import GitCoordCore
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// `git coord mcp`: the stdio MCP server. It lives in its own executable, `git-coord-mcp`, because the MCP SDK
/// brings full Foundation with it, and `git-coord` itself starts on every agent edit (see docs/design.md, "The MCP
/// server binary"); this command only execs it, so stdin and stdout stay the agent's.
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Run the git-coord MCP server on stdin and stdout (started by a coding agent, not by hand).",
        discussion: """
        Tools: list_sessions, set_task, note, send, inbox (peek or consume), claim, release, check. \
        Each call opens the repository of the server's working directory. A session is chosen by the 'session' \
        argument, else $GIT_COORD_SESSION, else the one live session of the worktree. Logs go to stderr only.

        Register it with the agent:
          claude mcp add git-coord -- git coord mcp          (or 'git coord install claude': .mcp.json)
          codex mcp add git-coord -- git coord mcp
          gemini mcp add git-coord git coord mcp             (or 'git coord install gemini')
        """
    )

    func run() throws {
        let binary = MCPBinary.locate()
        var arguments: [UnsafeMutablePointer<CChar>?] = [strdup(binary), nil]
        execv(binary, &arguments)
        throw CoordError.system(what: "start \(binary) (looked next to git-coord, then on PATH)",
                                reason: String(cString: strerror(errno)) + "; 'make install' installs it beside git-coord")
    }
}

/// Finds `git-coord-mcp`: next to the running `git-coord` (as `make install` and SwiftPM put them), else on PATH.
enum MCPBinary {
    static let name = "git-coord-mcp"

    static func locate() -> String { Background.companion(name) ?? name }
}
