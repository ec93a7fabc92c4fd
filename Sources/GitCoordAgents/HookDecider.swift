import GitCoordCore
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// The agent-neutral decisions behind every hook: who this agent session is, who else is on a file, what to
/// tell the model. Each event does the least it can: PreToolUse, which runs before every edit, reads the
/// session refs once and writes nothing (unless `coord.touchBeforeEdit` is set).
struct HookDecider {
    let dialect: any AgentDialect
    let coordination: Coordination
    let event: AgentEvent
    let environment: [String: String]
    private(set) var diagnostics: [String] = []

    static let conflictKey = "coord.editConflict"

    /// The agent kind as sessions record it.
    private var agent: String { dialect.kind.rawValue }
    static let touchBeforeEditKey = "coord.touchBeforeEdit"

    init(dialect: any AgentDialect, coordination: Coordination, event: AgentEvent, environment: [String: String]) {
        self.dialect = dialect
        self.coordination = coordination
        self.event = event
        self.environment = environment
    }

    mutating func decide() throws -> HookReply {
        switch event.kind {
        case .sessionStart(let source): return try sessionStart(source: source)
        case .promptSubmit: return try promptSubmit()
        case .beforeEdit: return try beforeEdit()
        case .afterTool: return try afterTool()
        case .sessionEnd(let reason):
            try coordination.agentSessions.detach(kind: agent, agentSessionID: event.agentSessionID, reason: reason)
            return .silent
        case .stop, .ignored: return .silent  // Stop is WakeWaiter's
        }
    }

    // MARK: Events

    private mutating func sessionStart(source: String?) throws -> HookReply {
        var (session, outcome) = try coordination.agentSessions.attach(
            kind: agent, agentSessionID: event.agentSessionID, source: source, adoptSoleSession: !dialect.hasSessionEnd,
            preferredName: environment[Self.nameVariable].flatMap { $0.isEmpty ? nil : $0 }, process: Self.agentProcess())
        if let title = event.title {
            session = try coordination.sessions.update(session) { SessionService.propose(task: title, source: .title, to: &$0) }
        }
        exportSession(session.id)
        let now = nowMillis()
        let sessions = try coordination.sessions.all(now: now)
        let others = sessions.filter { $0.isLive && $0.id != session.id }
        // The list of sessions takes at most 60% of the limit, so delivered items always have room.
        // Who else is live takes at most half of the limit and the pins a quarter, so news always has room.
        let intro = ModelText.capped(ModelText.sessionIntro(session, outcome: outcome, others: others, now: now,
                                                            localHost: Self.localHost, editGuard: conflictMode()),
                                      limit: dialect.contextLimit / 2)
        let pins = ModelText.pins(try coordination.pins.all(), now: now, limit: dialect.contextLimit / 4)
        // Who is live now is what it was told: arrivals and departures from here on come at its turns.
        _ = try coordination.delivery.rosterChanges(to: session, among: sessions)
        let used = intro.count + (pins.map { $0.count + 2 } ?? 0)
        let news = try delivery(for: session, sessions: sessions, budget: dialect.contextLimit - used - 2, takeovers: true)
        return HookReply(context: [intro, pins, news].compactMap { $0 }.joined(separator: "\n\n"))
    }

    private mutating func promptSubmit() throws -> HookReply {
        guard let session = try ownSession(attachIfMissing: true) else { return .silent }
        // The task, from what the user asked, unless the session said its own: the title the agent generated
        // (in the event, else in its transcript), else the first line of the first prompt.
        let record = session.record
        let title = record.taskSource == .explicit || record.taskSource == .title && event.title == nil
            ? nil : event.title ?? event.transcriptPath.flatMap(TranscriptTitle.read)
        let prompt = record.task.isEmpty && record.taskSource == nil && coordination.sessions.takesTaskFromPrompt ? event.prompt : nil
        let fresh = try coordination.sessions.update(session) { record in
            if let title { SessionService.propose(task: title, source: .title, to: &record) }
            if let prompt { SessionService.propose(task: prompt, source: .prompt, to: &record) }
        }
        let now = nowMillis()
        let sessions = try coordination.sessions.all(now: now)
        let roster = ModelText.rosterChanges(try coordination.delivery.rosterChanges(to: fresh, among: sessions), now: now,
                                             localHost: Self.localHost).map { ModelText.capped($0, limit: dialect.contextLimit / 4) }
        let news = try delivery(for: fresh, sessions: sessions, budget: dialect.contextLimit - (roster.map { $0.count + 2 } ?? 0),
                                takeovers: true)
        let context = [roster, news].compactMap { $0 }
        return HookReply(context: context.isEmpty ? nil : context.joined(separator: "\n\n"))
    }

    /// Unread notes and messages, and takeovers of the session's claims, each delivered once (see
    /// `TurnDelivery.inbox(to:fit:)`): as many as fit in `budget` characters now, the rest on the next turn.
    /// Takeovers are looked for at turn boundaries only (they cost a look at every claim ref), not after each tool.
    func delivery(for session: Session, sessions known: [Session]?, budget: Int, takeovers withTakeovers: Bool) throws -> String? {
        let now = nowMillis()
        var senders: [String: Session] = [:]
        func loadSenders() throws {
            guard senders.isEmpty else { return }
            let all = try known ?? coordination.sessions.all(now: now)
            senders = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let takeovers = withTakeovers ? try coordination.delivery.takeovers(to: session) : []
        let takeoverBudget = takeovers.reduce(0) { $0 + DeliveryText.takeover($1, now: now).count + 1 }
        var fitError: Error?
        let (items, waiting) = try coordination.delivery.inbox(to: session) { unread in
            guard !unread.isEmpty else { return 0 }
            do { try loadSenders() } catch { fitError = error }
            return DeliveryText.fitting(unread, budget: max(0, budget - takeoverBudget), senders: senders, now: now,
                                        localHost: Self.localHost)
        }
        if let fitError { throw fitError }
        return DeliveryText.text(items: items, takeovers: takeovers, waiting: waiting, senders: senders, now: now,
                                 localHost: Self.localHost)
    }

    private mutating func beforeEdit() throws -> HookReply {
        let paths = relativePaths()
        guard !paths.isEmpty else { return .silent }
        let now = nowMillis()
        let me = try coordination.agentSessions.find(kind: agent, agentSessionID: event.agentSessionID)
        let exported = environment["GIT_COORD_SESSION"]
        // Claims on the files (or their folders, or patterns matching them), and other sessions' touched and
        // uncommitted files: the overlap index, one read of the session and claim refs.
        let overlaps = try coordination.claims.others(onPaths: paths, excluding: me?.id, pathsAreFiles: false, now: now)
            .filter { $0.session.id != exported }
        var reasons: [String] = []
        for path in paths {
            let onPath = overlaps.filter { $0.path == path }
            if !onPath.isEmpty {
                reasons.append(ModelText.conflictReason(path: path, overlaps: onPath, now: now, localHost: Self.localHost))
            }
        }
        if coordination.repository.configBool(Self.touchBeforeEditKey) == true, let me, me.isLive {
            try coordination.sessions.touch(paths, for: me)
        }
        guard !reasons.isEmpty else { return .silent }
        return HookReply(conflict: .init(mode: conflictMode(), reason: reasons.joined(separator: "\n")))
    }

    private mutating func afterTool() throws -> HookReply {
        let paths = relativePaths()
        var session: Session?
        if !paths.isEmpty {
            session = try ownSession(attachIfMissing: true)
            if let session { try coordination.sessions.touch(paths, for: session, scan: .edited(paths)) }
        } else {
            session = try ownSession(attachIfMissing: false)
            if let live = session, Double(nowMillis() - live.record.seen) / 1000 >= coordination.settings.heartbeatInterval {
                // Long autonomous runs send no prompts: tool calls keep the session live (a write only when due).
                session = try coordination.sessions.heartbeat(live)
            }
        }
        // Messages reach a model between tool calls of a long run, not only at the next prompt.
        guard let session else { return .silent }
        return HookReply(context: try delivery(for: session, sessions: nil, budget: dialect.contextLimit, takeovers: false))
    }

    // MARK: Parts

    /// This agent session's git-coord session; registered on the spot when a hook meets it before SessionStart
    /// did (hooks installed mid-session, a SessionStart that timed out).
    private func ownSession(attachIfMissing: Bool) throws -> Session? {
        if let session = try coordination.agentSessions.find(kind: agent, agentSessionID: event.agentSessionID),
           session.isLive {
            return session
        }
        guard attachIfMissing else { return nil }
        return try coordination.agentSessions.attach(kind: agent, agentSessionID: event.agentSessionID, source: nil,
                                                   adoptSoleSession: false).session
    }

    /// The event's files as repository paths; files outside this worktree are not ours to judge.
    private mutating func relativePaths() -> [String] {
        let base = event.cwd.flatMap { AgentHook.isDirectory($0) ? $0 : nil } ?? coordination.repository.workdir ?? "/"
        var result: [String] = []
        for path in event.paths {
            if let relative = try? coordination.repository.relativePath(path, from: base), !relative.isEmpty {
                if !result.contains(relative) { result.append(relative) }
            } else {
                diagnostics.append("not checking \(Display.abbreviated(path)): " + Repository.whyNotInWorktree(path))
            }
        }
        return result
    }

    private mutating func conflictMode() -> ConflictMode {
        let fallback = dialect.defaultConflictMode
        guard let text = coordination.repository.configString(Self.conflictKey) else { return fallback }
        if let mode = ConflictMode(rawValue: text.lowercased()) { return mode }
        diagnostics.append("\(Self.conflictKey) is '\(text)', not ask, deny or warn: using \(fallback.rawValue)")
        return fallback
    }

    /// `export GIT_COORD_SESSION=<id>` into the agent's env file, so the `git coord` commands its shell runs act
    /// for this session. The id is 12 hex digits: nothing to quote.
    private mutating func exportSession(_ id: String) {
        guard let path = dialect.envFileVariables.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return }
        do {
            try Files.append(path, Array("export GIT_COORD_SESSION=\(id)\n".utf8))
        } catch {
            diagnostics.append("\(error)")
        }
    }

    /// The name the user asked for, for the session an agent's hook starts (else it is named after its branch).
    static let nameVariable = "GIT_COORD_NAME"

    /// What a hook command goes through on its way from the agent: shells (`sh -c`), git (`git coord` runs
    /// `git-coord`), and launchers. The first other ancestor is the agent's own process.
    static let launchers: Set<String> = ["sh", "bash", "dash", "zsh", "fish", "git", "git-coord", "env", "timeout",
                                          "nice", "nohup", "stdbuf", "setsid", "flock"]

    /// The agent's process, so that readers on this machine see at once when it is gone.
    static func agentProcess() -> ProcessIdentity? {
        guard let boot = Processes.bootID, let agent = Processes.nearestAncestor(passing: launchers) else { return nil }
        return ProcessIdentity(pid: agent.pid, started: agent.started, boot: boot, namespace: Processes.pidNamespace)
    }

    static let localHost: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }()
}
