/// Where `git coord install <agent>` runs, and how the files it writes are meant to be kept.
public struct InstallContext: Sendable {
    public enum Scope: Sendable { case local, shared }

    /// The worktree installed into.
    public var worktree: String
    /// The main checkout of the repository (the same as `worktree` unless that is a linked worktree): some agents
    /// read a linked worktree's settings from there.
    public var mainCheckout: String
    /// The repository's shared git folder (`info/exclude` lives there; agents' sandboxes must let git-coord write it).
    public var commonDir: String
    /// `local`: personal files, kept out of `git status`; `shared`: files meant to be committed.
    public var scope: Scope
    /// The user's environment (`HOME`, an agent's own home variable such as `CODEX_HOME`).
    public var environment: [String: String]

    public init(worktree: String, mainCheckout: String, commonDir: String, scope: Scope, environment: [String: String]) {
        self.worktree = worktree
        self.mainCheckout = mainCheckout
        self.commonDir = commonDir
        self.scope = scope
        self.environment = environment
    }

    /// The user's home folder.
    public var home: String { environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/" }
}

/// A file `install` writes: in the worktree, in the main checkout, or in the user's own agent folder.
public enum FileSpot: Sendable, Equatable {
    case worktree(String)
    case mainCheckout(String)
    case absolute(String)

    func path(in context: InstallContext) -> String {
        switch self {
        case .worktree(let relative): return context.worktree + "/" + relative
        case .mainCheckout(let relative): return context.mainCheckout + "/" + relative
        case .absolute(let path): return path
        }
    }

    /// How the path is shown, and kept out of `git status`: relative to the checkout it is in.
    func display(in context: InstallContext) -> String {
        switch self {
        case .worktree(let relative): return relative
        case .mainCheckout(let relative): return context.mainCheckout == context.worktree ? relative : path(in: context)
        case .absolute(let path): return path
        }
    }

    /// The path to list in `info/exclude` when a `--local` install creates the file (nil: not in a checkout).
    var excluded: String? {
        switch self {
        case .worktree(let relative), .mainCheckout(let relative): return relative
        case .absolute: return nil
        }
    }
}

/// One file `install` writes, as a dialect declares it; the installer carries it out and `--uninstall` undoes it.
public enum InstallStep: Sendable, Equatable {
    /// What goes into a JSON settings file, merged with everything else in it.
    public enum JSONPart: Sendable, Equatable {
        /// git-coord's hook groups (the dialect's `hookGroups`).
        case hooks
        /// The MCP server under `mcpServers`, as Claude Code's `.mcp.json` and Gemini's settings hold it.
        case mcpServers
        /// Strings git-coord owns in a list at a key path (permission rules, enabled servers).
        case listMembers([String], at: [String])
    }

    case json(FileSpot, JSONPart)
    /// git-coord's tables in a TOML settings file (see `TOMLBlock`).
    case toml(FileSpot, [TOMLTable])
    /// The agent's trust in git-coord's hooks of a hooks file, recorded in the agent's own TOML config (the
    /// dialect's `hookTrust`): `install` is the user's consent to exactly these hooks.
    case hookTrust(hooks: FileSpot, config: FileSpot)
    /// A slash-command file of git-coord's (it carries a marker line; a user's file of that name is left alone).
    case command(AgentCommands.File)
}
