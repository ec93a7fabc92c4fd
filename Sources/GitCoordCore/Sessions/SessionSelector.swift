/// How a caller says which session it acts for. Every surface (commands, git hooks, agent hooks, MCP) builds one
/// and hands it to the one resolver below, so "which session am I" has one answer everywhere.
public struct SessionSelector: Sendable, Equatable {
    /// Named explicitly: `--session`, the MCP tools' `session` argument. Wins over everything else.
    public var named: String?
    /// The agent session the caller runs inside, when its agent tells its shell (Codex's `CODEX_THREAD_ID`):
    /// more specific than an exported variable a parent shell may have passed down.
    public var agent: AgentIdentity?
    /// `$GIT_COORD_SESSION`, exported by a person or by an agent's SessionStart hook.
    public var exported: String?

    public init(named: String? = nil, agent: AgentIdentity? = nil, exported: String? = nil) {
        self.named = named?.isEmpty == true ? nil : named
        self.agent = agent
        self.exported = exported?.isEmpty == true ? nil : exported
    }

    public static let none = SessionSelector()

    public static let exportedVariable = "GIT_COORD_SESSION"
}

/// An agent's own session: its kind (`claude`, `codex`, ...) and the id the agent gives it.
public struct AgentIdentity: Sendable, Equatable {
    public var kind: String
    public var sessionID: String

    public init(kind: String, sessionID: String) {
        self.kind = kind
        self.sessionID = sessionID
    }
}

extension SessionService {
    /// The session a command acts for; throws, saying what to do, when there is none or several.
    public func resolve(_ selector: SessionSelector) throws -> Session {
        switch try resolution(of: selector, among: all()) {
        case .found(let session): return session
        case .failed(let error): throw error
        }
    }

    /// The session a hook runs for, or nil without failing: hooks never stop git or an agent over identity.
    public func current(_ selector: SessionSelector, among sessions: [Session]) -> Session? {
        guard case .found(let session) = try? resolution(of: selector, among: sessions) else { return nil }
        return session
    }

    enum Resolution {
        case found(Session)
        case failed(CoordError)
    }

    /// One rule for every surface. A session of another clone (arrived by sync) is only ever written by its own
    /// clone, even when its worktree path is the same on its machine (containers mounting `/workspace`, two
    /// laptops with `~/src/app`): it is never resolved here, by id, name or worktree.
    func resolution(of selector: SessionSelector, among all: [Session]) throws -> Resolution {
        let clone = coordination.cloneID
        if let named = selector.named { return byIDOrName(named, among: all, clone: clone) }
        if let agent = selector.agent, let session = try coordination.agentSessions.find(kind: agent.kind, agentSessionID: agent.sessionID),
           session.isLive, session.isFromThisClone(clone) {
            return .found(session)
        }
        if let exported = selector.exported { return byIDOrName(exported, among: all, clone: clone) }
        let live = all.filter(\.isLive)
        let here = live.filter { $0.record.worktree == repository.workdir && $0.isFromThisClone(clone) }
        switch here.count {
        case 1: return .found(here[0])
        case 0: return .failed(.noSession(candidates: live.map { "\($0.name) (\($0.id))" }))
        default: return .failed(.ambiguousSession(candidates: here.map { "\($0.name) (\($0.id))" }))
        }
    }

    private func byIDOrName(_ selector: String, among all: [Session], clone: String?) -> Resolution {
        if let byID = all.first(where: { $0.id == selector }) {
            guard byID.isFromThisClone(clone) else { return .failed(.sessionInOtherClone(byID.name, clone: byID.record.clone ?? "?")) }
            return .found(byID)
        }
        // Names are unique among live sessions; a name reused since, by a newer session, means the newest.
        let byName = all.filter { $0.name == selector }
        let here = byName.filter { $0.isFromThisClone(clone) }
        if let match = here.first(where: \.isLive) ?? here.first { return .found(match) }
        if let elsewhere = byName.first { return .failed(.sessionInOtherClone(elsewhere.name, clone: elsewhere.record.clone ?? "?")) }
        return .failed(.unknownSession(selector, live: all.filter(\.isLive).map(\.name)))
    }
}
