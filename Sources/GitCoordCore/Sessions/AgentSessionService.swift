import CLibGit2
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Coding-agent sessions (Claude Code, Codex, Gemini CLI) mapped to git-coord sessions.
///
/// The agent's own session id is the identity: every hook event carries it, it survives resume and compaction,
/// and two agent windows never share one. `refs/coord/v1/agents/<kind>/<key>` is a compare-and-swap arbiter
/// holding which git-coord session an agent session is; it is created once, so two hooks of one agent session
/// racing to register can never make two sessions. See docs/design.md, "Agent identity".
public struct AgentSessionService: CoordinationService {
    public let coordination: Coordination

    public static let maximumAgentSessionIDLength = 512

    /// How an agent session came to its git-coord session.
    public enum AttachOutcome: String, Sendable {
        /// A new git-coord session was registered.
        case started
        /// The agent session was known and live (compaction, a second SessionStart, a hook that ran first).
        case resumed
        /// The agent session was known but had ended or gone stale (`claude --resume` after an exit): live again.
        case revived
        /// A new agent session id took over the session the same agent handed over on /clear.
        case adopted
    }

    /// The git-coord session of an agent session, if it has one: a read, no write. Hot path of every hook.
    public func find(kind: String, agentSessionID: String) throws -> Session? {
        guard let binding = try binding(kind: kind, agentSessionID: agentSessionID)?.binding else { return nil }
        return try sessions.find(id: binding.session)
    }

    /// Finds or registers the git-coord session of an agent session (its SessionStart, or any hook that finds
    /// none): resumes it when known, revives it when it had ended, adopts the session handed over by /clear
    /// when `source` is "clear", and otherwise starts a new one. Never makes two sessions for one agent session.
    /// `preferredName` is the name the user asked for in the agent's environment (numbered when taken);
    /// `process` is the agent's own process, recorded so that readers on this machine see at once when it is gone.
    public func attach(kind: String, agentSessionID: String, source: String?, adoptSoleSession: Bool = false,
                       preferredName: String? = nil, process: ProcessIdentity? = nil)
        throws -> (session: Session, outcome: AttachOutcome) {
        try SessionService.validateName(kind, what: "agent kind")
        try Self.validateAgentSessionID(agentSessionID)
        let ref = RefLayout.agent(kind, Self.agentKey(agentSessionID))
        for _ in 0..<5 {
            let existing = try binding(kind: kind, agentSessionID: agentSessionID)
            // A binding's session record is written right after the binding: a missing one is being written
            // (wait for it), or was never written by a process that died (rebind it, below).
            if let existing, let session = try sessions.find(id: existing.binding.session)
                ?? (try isRecent(existing.commit) ? waitForSession(id: existing.binding.session) : nil) {
                if session.isLive {
                    return (try sessions.update(session, forceHeartbeat: true) { record in
                        if let process { record.process = process }
                    }, .resumed)
                }
                return (try revive(session, process: process), .revived)
            }
            // Unknown (or bound to a session whose record is gone): bind a session, by compare-and-swap.
            let adoptable = source == "clear" ? try handedOverSession(kind: kind, soleSessionCounts: adoptSoleSession) : nil
            var bound: ObjectID
            do {
                bound = try bind(ref, kind: kind, agentSessionID: agentSessionID, to: adoptable?.id ?? SessionService.newID(),
                                 replacing: existing?.commit)
            } catch let error as GitError where error.isContention {
                continue  // another hook of the same agent session bound it first: use its session
            }
            if let adoptable {
                if let adopted = try adopt(adoptable, agentSessionID: agentSessionID, process: process) { return (adopted, .adopted) }
                // Another agent session adopted it meanwhile: this one gets a session of its own.
                bound = try bind(ref, kind: kind, agentSessionID: agentSessionID, to: SessionService.newID(), replacing: bound)
            }
            let id = try store.read(AgentBindingKind.self, commit: bound, at: ref).session
            var options = SessionService.StartOptions(name: preferredName, agent: kind, agentSessionID: agentSessionID)
            options.nameIsPreference = true
            options.process = process
            let started = try sessions.start(options, id: id)
            pruneOrphanRefs()
            return (started, .started)
        }
        throw CoordError.contention(ref: ref)
    }

    /// The agent session is over. `clear` keeps the git-coord session for the agent session that /clear starts
    /// next (it adopts it); any other reason ends it. Within SessionEnd's short budget: one read, one write.
    public func detach(kind: String, agentSessionID: String, reason: String?) throws {
        guard let session = try find(kind: kind, agentSessionID: agentSessionID), session.state != .ended else { return }
        if reason == "clear" {
            try store.update(SessionKind.self, at: RefLayout.session(session.id), message: Self.handoverMessage + session.name) { current in
                guard var record = current?.payload, record.ended == nil else { return nil }
                record.seen = nowMillis()
                return record
            }
        } else {
            try sessions.stop(session)
        }
    }

    private var sessions: SessionService { coordination.sessions }

    // MARK: Parts

    static let handoverMessage = "handover "
    /// A /clear hands over within a second or so; a handover older than this is not taken.
    static let handoverWindow: Millis = 60_000

    func binding(kind: String, agentSessionID: String) throws -> (commit: ObjectID, binding: AgentBinding)? {
        guard SessionService.isValidName(kind), Self.agentSessionIDProblem(agentSessionID) == nil else { return nil }
        let ref = RefLayout.agent(kind, Self.agentKey(agentSessionID))
        do {
            guard let record = try store.read(AgentBindingKind.self, at: ref) else { return nil }
            // The key of an id that is not a safe name is a hash: the record must hold this very id.
            guard record.payload.agentSessionID == agentSessionID else {
                note(UnreadableRecord(commit: record.commit, problem: .invalid("its record holds another agent session id"), ref: ref))
                return nil
            }
            return (record.commit, record.payload)
        } catch let unreadable as UnreadableRecord {
            note(unreadable)
            return nil
        }
    }

    /// Points the arbiter at `session` if it still holds `expected` (nil: if it does not exist); returns the commit.
    private func bind(_ ref: String, kind: String, agentSessionID: String, to session: String,
                      replacing expected: ObjectID?) throws -> ObjectID {
        let commit = try store.write(AgentBindingKind.self, AgentBinding(agent: kind, agentSessionID: agentSessionID, session: session),
                                     parent: expected, message: "bind \(kind) session")
        try store.compareAndSwap(ref, to: commit, expecting: expected, message: "bind \(kind) session")
        return commit
    }

    /// Whether a binding was written in the last few seconds: only then can its session record still be on its way
    /// (a binding whose session was dropped by `git coord gc` is old, and is rebound at once).
    private func isRecent(_ commit: ObjectID) throws -> Bool {
        abs(Double(nowMillis()) / 1000 - Double(try store.commitTime(of: commit))) < 10
    }

    /// The session with this id, waiting up to about 2 s for its record to appear.
    private func waitForSession(id: String) throws -> Session? {
        for attempt in 0..<45 {
            if let session = try sessions.find(id: id) { return session }
            usleep(UInt32(min(50_000, 1_000 << min(attempt, 6))))
        }
        return nil
    }

    /// The live session of this agent kind in this worktree that the previous agent session handed over on /clear
    /// (or, for agents with no SessionEnd event, the only live one of that kind here).
    private func handedOverSession(kind: String, soleSessionCounts: Bool) throws -> Session? {
        let now = nowMillis()
        let here = try sessions.all(now: now).filter {
            $0.isLive && $0.record.agent == kind && $0.record.worktree == repository.workdir
        }
        let handedOver = try here.filter { session in
            guard now - session.record.seen < Self.handoverWindow,
                  let head = try store.target(of: RefLayout.session(session.id)) else { return false }
            return try store.message(of: head).hasPrefix(Self.handoverMessage)
        }
        if let newest = handedOver.first { return newest }
        return soleSessionCounts && here.count == 1 ? here[0] : nil
    }

    /// Gives a handed-over session its new agent session id, unless another agent session took it meanwhile.
    private func adopt(_ session: Session, agentSessionID: String, process: ProcessIdentity?) throws -> Session? {
        let previous = session.record.agentSessionID
        var adopted: SessionRecord?
        try store.update(SessionKind.self, at: RefLayout.session(session.id), message: "adopt \(session.name)") { current in
            guard var record = current?.payload, record.ended == nil, record.agentSessionID == previous else { return nil }
            record.agentSessionID = agentSessionID
            record.process = process ?? record.process
            record.seen = nowMillis()
            sessions.refreshFromWorktree(&record)
            adopted = record
            return record
        }
        guard let adopted else { return nil }
        // The old agent session id no longer names this session: a later `--resume` of it starts afresh.
        if let previous, let kind = session.record.agent, let old = try binding(kind: kind, agentSessionID: previous) {
            try? store.delete(RefLayout.agent(kind, Self.agentKey(previous)), expecting: old.commit)
        }
        return Session(record: adopted, now: nowMillis(), ttl: settings.sessionTTL)
    }

    /// An ended or stale session, live again under its name (or a new one, if a live session took the name).
    private func revive(_ session: Session, process: ProcessIdentity?) throws -> Session {
        var name: String
        do {
            name = try sessions.reserveName(session.name, for: session.id)
        } catch CoordError.nameTaken {
            name = try sessions.reserveName(nil, base: session.name, for: session.id)
        }
        var revived = session.record
        try store.update(SessionKind.self, at: RefLayout.session(session.id), message: "resume \(name)") { current in
            guard var record = current?.payload else { throw CoordError.unknownSession(session.id, live: []) }
            record.ended = nil
            record.name = name
            record.process = process ?? record.process
            record.seen = nowMillis()
            sessions.refreshFromWorktree(&record)
            revived = record
            return record
        }
        return Session(record: revived, now: nowMillis(), ttl: settings.sessionTTL)
    }

    /// Drops agent refs whose session record is gone (`git coord gc` drops long-ended sessions, and knows nothing
    /// of these): bindings older than a minute (a younger one may be waiting for its record to be written) and
    /// delivery marks. Run when a new session registers, so the cost is paid once per agent session; every
    /// deletion is a compare-and-swap, and a failure leaves things as they were.
    func pruneOrphanRefs() {
        let now = Double(nowMillis()) / 1000
        for (ref, commit) in (try? store.refs(under: RefLayout.agents)) ?? [] {
            guard let binding = try? store.read(AgentBindingKind.self, commit: commit, at: ref),
                  (try? store.target(of: RefLayout.session(binding.session))) == .some(nil),
                  let written = try? store.commitTime(of: commit), now - Double(written) > 60 else { continue }
            try? store.delete(ref, expecting: commit)
        }
        for (ref, commit) in (try? store.refs(under: RefLayout.delivered)) ?? [] {
            let id = String(ref.dropFirst(RefLayout.delivered.count))
            guard SessionService.isValidName(id), (try? store.target(of: RefLayout.session(id))) == .some(nil) else { continue }
            try? store.delete(ref, expecting: commit)
        }
    }

    // MARK: Keys

    static func validateAgentSessionID(_ id: String) throws {
        if let problem = agentSessionIDProblem(id) {
            throw CoordError.invalidText(what: "invalid agent session id", reason: problem)
        }
    }

    static func agentSessionIDProblem(_ id: String) -> String? {
        if id.isEmpty { return "it is empty" }
        if id.utf8.count > maximumAgentSessionIDLength { return "it is longer than \(maximumAgentSessionIDLength) bytes" }
        return nil
    }

    /// The ref-name component for an agent session id: the id itself when it is a safe name (UUIDs are), else a
    /// 128-bit hash of it. The record holds the full id and is checked on read.
    static func agentKey(_ id: String) -> String {
        if SessionService.isValidName(id) { return id }
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        for byte in id.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second &* 0x0000_0100_0000_01B3) ^ UInt64(byte)
        }
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return "h" + hex(first) + hex(second)
    }
}

extension RecordStore {
    /// The message of a record commit ("start amber-otter", "handover amber-otter").
    func message(of commit: ObjectID) throws -> String {
        var oid = commit.raw
        var object: OpaquePointer?
        try check(git_commit_lookup(&object, repository.pointer, &oid), "read record \(commit)")
        defer { git_commit_free(object) }
        return git_commit_message(object).map { String(cString: $0) } ?? ""
    }

    /// When a record commit was written, in seconds since the Unix epoch.
    func commitTime(of commit: ObjectID) throws -> Int64 {
        var oid = commit.raw
        var object: OpaquePointer?
        try check(git_commit_lookup(&object, repository.pointer, &oid), "read record \(commit)")
        defer { git_commit_free(object) }
        return Int64(git_commit_time(object))
    }
}
