/// Where `git coord install <agent>` runs, and how the files it writes are meant to be kept.
public struct InstallContext: Sendable {
    public enum Scope: Sendable { case local, shared }

    /// The worktree installed into.
    public var worktree: String
    /// The repository's shared git folder (`info/exclude` lives there).
    public var commonDir: String
    /// `local`: personal files, kept out of `git status`; `shared`: files meant to be committed.
    public var scope: Scope
}

/// One file `install` writes, as a dialect declares it; the installer carries it out and `--uninstall` undoes it.
public enum InstallStep: Sendable, Equatable {
    /// What goes into a JSON settings file (relative to the worktree), merged with everything else in it.
    public enum JSONPart: Sendable, Equatable {
        /// git-coord's hook groups (the dialect's `hookGroups`).
        case hooks
        /// The MCP server under `mcpServers`, as Claude Code's `.mcp.json` and Gemini's settings hold it.
        case mcpServers
        /// Strings git-coord owns in a list at a key path (permission rules, enabled servers).
        case listMembers([String], at: [String])
    }

    case json(String, JSONPart)
    /// A slash-command file of git-coord's (it carries a marker line; a user's file of that name is left alone).
    case command(AgentCommands.File)
}
