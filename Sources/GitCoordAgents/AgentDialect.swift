import GitCoordCore
import GitCoordSystem

/// Everything git-coord knows about one coding agent, in one place: how its hook events read, how it wants its
/// answers, what it can and cannot do, what its shell environment tells, and how it is installed. Each agent's
/// facts live in its own file under Dialects/; the rest of git-coord asks the dialect and never names an agent.
public protocol AgentDialect: Sendable {
    var kind: AgentKind { get }
    var displayName: String { get }

    // MARK: Hook protocol

    /// Reads one hook event (the bytes the agent wrote on the hook's stdin).
    func event(from input: [UInt8]) throws -> AgentEvent
    /// Puts a reply in the agent's answer format; "" when there is nothing to say.
    func render(_ reply: HookReply, for event: AgentEvent) -> String
    /// The most characters one answer may add to the model's context.
    var contextLimit: Int { get }

    // MARK: What the agent can do

    /// Whether a hook's "ask" before a tool reaches a person. Where it cannot, the edit guard denies by default.
    var canAsk: Bool { get }
    /// Whether the agent tells its hooks that a session ended (else sessions end by TTL, and /clear cannot hand over).
    var hasSessionEnd: Bool { get }

    // MARK: Environment

    /// Variables naming a file whose `export NAME=value` lines reach the agent's later shell commands (SessionStart).
    var envFileVariables: [String] { get }
    /// The variable holding the project root in the hook's environment, when the agent sets one.
    var projectDirectoryVariable: String? { get }
    /// The variable in the model's shell that holds the agent's own session id (the hooks' `session_id`), when the
    /// agent sets one: how `git coord` commands the model runs find their session with no exported variable.
    var shellSessionVariable: String? { get }

    // MARK: Waking an idle session

    /// How an idle session of this agent is woken when a message arrives for it; nil when it cannot be.
    var wake: WakeMeans? { get }
    /// Whether this Stop hook runs in a session that stays to be woken, and which process's exit ends the wait: nil
    /// for a one-shot run (which would wait for the hook) or a host that cannot start a turn by itself.
    /// `ancestors` are the hook process's, nearest first.
    func wakeHost(environment: [String: String], ancestors: [ProcessEntry]) -> WakeHost?
    /// For `.nudge`: the command that starts a turn of agent session `agentSessionID` with `text` as its prompt.
    func nudgeCommand(host: WakeHost, agentSessionID: String, text: String) -> [String]?
    /// The longest the agent lets a Stop hook run (what `install` writes as its timeout): the waiter stops by itself
    /// before that.
    var stopHookTimeout: Int { get }

    // MARK: Installation

    /// The hook groups `install` adds: each event, with a tool matcher where the event takes one.
    var hookGroups: [HookGroup] { get }
    /// One hook entry of `group` running `command`, in the agent's terms (Gemini counts timeouts in milliseconds).
    func hookEntry(command: String, group: HookGroup) -> JSONValue
    /// What `git coord install <agent>` writes, file by file.
    func installation(_ context: InstallContext) -> [InstallStep]
    /// The agent's record of its trust in git-coord's hooks in `settings` (the hooks file at `hooksPath`), for an
    /// agent that runs a project's hooks only once each is trusted.
    func hookTrust(hooksPath: String, settings: JSONValue) -> [TOMLTable]
    /// What the user must still do after `install` for the agent to read what it wrote, if anything.
    func remainingSteps(after context: InstallContext) -> [String]
    /// What to do when a write git-coord's command made from the agent's shell was refused by the agent's sandbox
    /// (the repository's git folder read-only), when `environment` is that shell's; nil when not inside this agent.
    func sandboxHint(environment: [String: String]) -> String?
}

/// How a waiting Stop hook wakes its idle agent session.
public enum WakeMeans: Sendable, Equatable {
    /// The hook delivers what arrived itself and exits 2; the agent starts a turn with the hook's stderr as a
    /// reminder to the model (Claude Code's `asyncRewake`).
    case exitWithDelivery
    /// The hook starts a turn through the agent's own command with a nudge that carries no text of another session;
    /// that turn's prompt hook delivers what arrived (Codex's `codex queue`).
    case nudge
}

/// The agent process a waiting Stop hook serves: its exit (or the end of its input) ends the wait.
public struct WakeHost: Sendable, Equatable {
    public var pid: Int32
    /// A path to watch for the end of the agent's input (an SDK host closing it ends the session, and the agent
    /// would first wait for pending hooks); nil when there is none to watch.
    public var input: String?
    /// The agent's executable, for `nudgeCommand`.
    public var executable: String?

    public init(pid: Int32, input: String? = nil, executable: String? = nil) {
        self.pid = pid
        self.input = input
        self.executable = executable
    }
}

/// One group of hooks in an agent's settings: an event, and the tools it fires for (nil: every tool, or an event
/// that takes no matcher).
public struct HookGroup: Sendable, Equatable {
    public var event: String
    public var matcher: String?

    public init(_ event: String, matcher: String? = nil) {
        self.event = event
        self.matcher = matcher
    }
}

/// The coding agents git-coord answers hooks for.
public enum AgentKind: String, CaseIterable, Sendable {
    case claude, codex, gemini

    public var dialect: any AgentDialect {
        switch self {
        case .claude: return ClaudeDialect()
        case .codex: return CodexDialect()
        case .gemini: return GeminiDialect()
        }
    }

    public var displayName: String { dialect.displayName }
}

extension AgentDialect {
    /// What the edit guard does when `coord.editConflict` is not set: ask a person where one can answer, else refuse
    /// the edit before it happens (a warning after the edit protects nothing).
    public var defaultConflictMode: ConflictMode { canAsk ? .ask : .deny }

    /// The command every hook entry runs.
    public var hookCommand: String { "git coord hook \(kind.rawValue)" }

    public func hookTrust(hooksPath: String, settings: JSONValue) -> [TOMLTable] { [] }
    public var wake: WakeMeans? { nil }
    public func wakeHost(environment: [String: String], ancestors: [ProcessEntry]) -> WakeHost? { nil }
    public func nudgeCommand(host: WakeHost, agentSessionID: String, text: String) -> [String]? { nil }
    public var stopHookTimeout: Int { 0 }
    public func remainingSteps(after context: InstallContext) -> [String] { [] }
    public func sandboxHint(environment: [String: String]) -> String? { nil }
}

extension ProcessEntry {
    /// A process that only passes a hook on: the shell running its command, git running `git coord`, git-coord.
    var isHookWrapper: Bool { ["sh", "bash", "dash", "zsh", "env", "git", "git-coord"].contains(name) }
}

extension AgentKind {
    /// The agent whose shell `environment` is, when an agent says so in it.
    public static func running(in environment: [String: String]) -> AgentKind? {
        allCases.first { kind in kind.dialect.shellSessionVariable.map { environment[$0]?.isEmpty == false } ?? false }
    }
}

/// Which session the caller acts for, from its environment: `$GIT_COORD_SESSION`, and the agent session id that an
/// agent puts in its model's shell (each dialect names its variable).
extension SessionSelector {
    public static func from(environment: [String: String], named: String? = nil) -> SessionSelector {
        var agent: AgentIdentity?
        for kind in AgentKind.allCases {
            if let variable = kind.dialect.shellSessionVariable, let id = environment[variable], !id.isEmpty {
                agent = AgentIdentity(kind: kind.rawValue, sessionID: id)
                break
            }
        }
        return SessionSelector(named: named, agent: agent, exported: environment[SessionSelector.exportedVariable])
    }
}
