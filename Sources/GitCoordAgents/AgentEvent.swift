/// The coding agents git-coord answers hooks for.
public enum AgentKind: String, CaseIterable, Sendable {
    case claude, codex, gemini

    public var displayName: String {
        switch self {
        case .claude: return "Claude Code"
        case .codex: return "Codex CLI"
        case .gemini: return "Gemini CLI"
        }
    }

    /// Codex has no SessionEnd event, so /clear cannot hand its session over explicitly: the one live Codex
    /// session of the worktree is taken to be the cleared one.
    var hasSessionEnd: Bool { self != .codex }

    /// The most text one answer adds to the model's context: Claude Code's documented cap for additionalContext
    /// (10,000 characters); the others document none, and get the same.
    public var contextLimit: Int { 10_000 }

    /// The environment variables naming a file whose `export NAME=value` lines reach the agent's later shell
    /// commands (SessionStart only).
    var envFileVariables: [String] {
        switch self {
        case .claude: return ["CLAUDE_ENV_FILE"]
        case .codex: return ["CODEX_ENV_FILE", "CLAUDE_ENV_FILE"]
        case .gemini: return []
        }
    }

    /// The variable holding the project root in the hook's environment, when the agent sets one.
    var projectDirectoryVariable: String? {
        switch self {
        case .claude: return "CLAUDE_PROJECT_DIR"
        case .codex: return nil
        case .gemini: return "GEMINI_PROJECT_DIR"
        }
    }
}

/// One hook event, whatever agent sent it: what git-coord needs to decide, nothing more.
public struct AgentEvent: Sendable {
    public enum Kind: Equatable, Sendable {
        case sessionStart(source: String?)
        case promptSubmit
        /// Before a file-editing tool runs; `paths` says which files.
        case beforeEdit
        /// After any tool ran; `paths` is non-empty when it edited files.
        case afterTool
        case sessionEnd(reason: String?)
        /// An event git-coord has nothing to do for (Stop, Notification, a tool that edits nothing, ...).
        case ignored
    }

    public var kind: Kind
    /// The event's name as the agent spells it ("PreToolUse", "BeforeTool"): echoed back in the answer.
    public var nativeName: String
    /// The agent's own id for its session: the identity (see docs/design.md, "Agent identity").
    public var agentSessionID: String
    public var cwd: String?
    public var toolName: String?
    /// Files the tool edits, absolute or relative to `cwd`, as the agent gave them.
    public var paths: [String]

    public init(kind: Kind, nativeName: String, agentSessionID: String, cwd: String?, toolName: String? = nil, paths: [String] = []) {
        self.kind = kind
        self.nativeName = nativeName
        self.agentSessionID = agentSessionID
        self.cwd = cwd
        self.toolName = toolName
        self.paths = paths
    }
}

/// Why an event could not be read: reported on stderr, never to the agent as a failure.
public struct MalformedEvent: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension JSONValue {
    /// The fields every agent's events share.
    func commonEventFields() throws -> (name: String, session: String, cwd: String?) {
        guard isObject else { throw MalformedEvent("the event is not a JSON object") }
        guard let name = self["hook_event_name"]?.stringValue, !name.isEmpty else {
            throw MalformedEvent("the event has no hook_event_name")
        }
        guard let session = self["session_id"]?.stringValue, !session.isEmpty else {
            throw MalformedEvent("the \(name) event has no session_id")
        }
        return (name, session, self["cwd"]?.stringValue)
    }
}
