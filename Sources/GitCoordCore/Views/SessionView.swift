/// The stable, documented JSON form of a session (`git coord list --json`, the MCP server). Fields are only
/// ever added, never renamed or removed, within schema version 1.
public struct SessionView: Encodable, Sendable {
    public struct File: Encodable, Sendable {
        public let path: String
        public let at: String
        public let secondsAgo: Int
        /// True when the file has uncommitted changes in the session's worktree; false when only touched.
        public let uncommitted: Bool
    }

    public let id: String
    public let name: String
    public let agent: String?
    public let task: String
    public let branch: String?
    public let head: String?
    public let worktree: String
    public let host: String
    public let state: String
    public let startedAt: String
    public let lastSeenAt: String
    public let lastSeenSecondsAgo: Int
    public let endedAt: String?
    public let files: [File]
    /// The clone the session runs in (`coord.cloneId`); compare with the top level's `clone` to spot other clones.
    public let clone: String?
    /// The agent's own id for the session (Claude Code's `session_id`, Codex's thread id), when an agent started it.
    public let agentSession: String?
    /// Where the task came from: `explicit` (the session said it), `title` (the agent's title for the user's
    /// request), `prompt` (the first line of the first prompt).
    public let taskFrom: String?

    public init(_ session: Session, now: Millis = nowMillis()) {
        let record = session.record
        clone = record.clone
        agentSession = record.agentSessionID
        taskFrom = record.taskSource?.rawValue
        id = record.id
        name = record.name
        agent = record.agent
        task = record.task
        branch = record.branch
        head = record.head
        worktree = record.worktree
        host = record.host
        state = session.state.rawValue
        startedAt = iso8601(record.started)
        lastSeenAt = iso8601(record.seen)
        lastSeenSecondsAgo = Int(max(0, now - record.seen) / 1000)
        endedAt = record.ended.map(iso8601)
        files = session.files.map {
            File(path: $0.file.path, at: iso8601($0.file.at), secondsAgo: Int(max(0, now - $0.file.at) / 1000),
                 uncommitted: $0.changed)
        }
    }
}

/// The top level of `git coord list --json`.
public struct SessionListView: Encodable, Sendable {
    public let schema = "git-coord.sessions/1"
    public let sessions: [SessionView]
    /// This clone's id, when it has one: sessions with another `clone` arrived by `git coord sync`.
    public let clone: String?

    public init(_ sessions: [Session], now: Millis = nowMillis(), clone: String? = nil) {
        self.sessions = sessions.map { SessionView($0, now: now) }
        self.clone = clone
    }
}
