/// What git-coord has to say about one event, before it is put in a particular agent's words.
public struct HookReply: Equatable, Sendable {
    /// Text for the model: added to its context (SessionStart, prompt, after a tool).
    public var context: String?
    /// Before an edit: another session is on the file.
    public var conflict: Conflict?

    public struct Conflict: Equatable, Sendable {
        public var mode: ConflictMode
        /// Names the other session(s), their branch and task, and what to do.
        public var reason: String
    }

    public init(context: String? = nil, conflict: Conflict? = nil) {
        self.context = context
        self.conflict = conflict
    }

    public static let silent = HookReply()
}

/// What to do when an edit touches a file another live session has (`coord.editConflict`).
public enum ConflictMode: String, CaseIterable, Sendable {
    /// Claude Code asks the user (`permissionDecision: "ask"`); agents that cannot ask from a hook warn.
    case ask
    /// The edit is refused, and the model is told why.
    case deny
    /// The edit goes ahead; the model and the user are told.
    case warn
}

/// An answer ready to be written: stdout (empty, or one JSON document), and lines for stderr.
public struct HookAnswer: Equatable, Sendable {
    public var stdout: String
    /// Why nothing was done, or what went wrong: for the person reading the agent's hook log, never the model.
    public var diagnostics: [String]
    /// Text for the model on stderr, alone, with exit status 2: how a waiting hook wakes an agent whose hooks wake it
    /// that way (Claude Code's `asyncRewake`).
    public var wake: String?

    public init(stdout: String = "", diagnostics: [String] = [], wake: String? = nil) {
        self.stdout = stdout
        self.diagnostics = diagnostics
        self.wake = wake
    }

    /// 2 when the answer wakes the agent, else 0: a hook never fails the agent.
    public var exitStatus: Int32 { wake == nil ? 0 : 2 }
}
