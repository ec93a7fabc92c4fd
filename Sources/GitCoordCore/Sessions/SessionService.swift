#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Sessions and their presence: the entity layer over `RecordStore` for `refs/coord/v1/sessions/*`.
public struct SessionService: CoordinationService {
    public let coordination: Coordination

    public static let maximumTaskLength = 300
    public static let maximumNameLength = 40

    /// Every session with a readable record, newest first. `checkingProcesses: false` leaves the agents' processes
    /// unlooked-up (live by the TTL alone), for a caller that checks only the few sessions that matter to it.
    public func all(now: Millis = nowMillis(), checkingProcesses: Bool = true) throws -> [Session] {
        note(try store.list(SessionKind.self))
            .map { Session(record: $0.payload, now: now, ttl: settings.sessionTTL, checkingProcess: checkingProcesses) }
        .sorted { ($0.record.seen, $0.id) > ($1.record.seen, $1.id) }
    }

    public func live() throws -> [Session] { try all().filter(\.isLive) }

    // MARK: Starting

    public struct StartOptions {
        public var name: String?
        /// `name` is what the user asked for in the agent's environment: taken if free, else numbered (`name-2`);
        /// a name given to `git coord start --name` is refused when a live session has it.
        public var nameIsPreference = false
        public var task: String = ""
        public var agent: String?
        public var agentSessionID: String?
        public var process: ProcessIdentity?
        public init(name: String? = nil, task: String = "", agent: String? = nil, agentSessionID: String? = nil) {
            self.name = name
            self.task = task
            self.agent = agent
            self.agentSessionID = agentSessionID
        }
    }

    /// Registers a new session for this worktree and returns it: the one way a session comes to be, whether a
    /// person starts it or an agent's hook does (which chooses `id` first, to bind it; see AgentSessionService).
    public func start(_ options: StartOptions, id: String = SessionService.newID()) throws -> Session {
        guard let worktree = repository.workdir else { throw CoordError.bareRepository }
        try Self.validateTask(options.task)
        if let name = options.name { try Self.validateName(name) }
        if let agent = options.agent { try Self.validateName(agent, what: "agent kind") }

        let now = nowMillis()
        var record = SessionRecord(
            id: id, name: "", agent: options.agent, agentSessionID: options.agentSessionID,
            task: options.task, branch: nil, head: nil, worktree: worktree, host: Self.hostName,
            started: now, seen: now, ended: nil, touched: [], changed: [])
        refreshFromWorktree(&record)
        let base = NameGenerator.base(branch: record.branch, worktree: worktree)
        let name = options.nameIsPreference
            ? try reserveName(nil, base: options.name ?? base, for: id)
            : try reserveName(options.name, base: base, for: id)
        record.name = name
        if !options.task.isEmpty { record.taskSource = .explicit }
        record.process = options.process
        // Sync accepts a session from another clone only when it names its clone: without it the session and its
        // claims would be invisible (or void) everywhere else.
        record.clone = try CloneIdentity.id(in: repository)
        record.startClock = try coordination.messages.largestClock()
        try store.update(SessionKind.self, at: RefLayout.session(id), message: "start \(name)") { current in
            guard current == nil else { throw CoordError.sessionIDTaken(id) }
            return record
        }
        return Session(record: record, now: now, ttl: settings.sessionTTL)
    }

    /// Takes `requested` (or a name from `base`, else a generated one) for session `id` through its arbiter ref,
    /// atomically: a name held by a live session is refused; one held by an ended or stale session is taken over.
    func reserveName(_ requested: String?, base: String? = nil, for id: String) throws -> String {
        let live = try live()
        let liveByID = Dictionary(live.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let candidates = requested.map { [$0] }
            ?? NameGenerator.candidates(base: base.flatMap { Self.isValidName($0) ? $0 : nil }, seed: id, avoiding: Set(live.map(\.name)))
        for name in candidates {
            do {
                // An unreadable hold holds nothing: it is replaced.
                try store.update(NameKind.self, at: RefLayout.name(name), message: "name \(name)", ifUnreadable: note) { current in
                    if let holder = current?.payload, try holds(holder, liveByID: liveByID) {
                        throw CoordError.nameTaken(name, by: holder.session)
                    }
                    return NameRecord(session: id, at: nowMillis())
                }
                return name
            } catch CoordError.nameTaken(let name, let holder) where requested != nil {
                throw CoordError.nameTaken(name, by: holder)
            } catch CoordError.nameTaken {
                continue
            }
        }
        throw CoordError.noFreeName
    }

    /// A name is held by a live session, or by one still starting: its name is reserved before its record is
    /// written, so a holder with no record yet keeps the name for `startGrace`.
    private func holds(_ holder: NameRecord, liveByID: [String: Session]) throws -> Bool {
        if liveByID[holder.session] != nil { return true }
        if let session = try? find(id: holder.session) { return session.isLive }
        return Double(nowMillis() - (holder.at ?? 0)) / 1000 < Self.startGrace
    }

    static let startGrace = 30.0

    /// Session ids: 48 random bits, in hex. Unique for sessions started in the same instant anywhere.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bits = generator.next() & 0xFFFF_FFFF_FFFF
        let hex = String(bits, radix: 16)
        return String(repeating: "0", count: 12 - hex.count) + hex
    }

    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }()

    // MARK: Finding

    public func find(id: String) throws -> Session? {
        guard Self.isValidName(id), let record = try store.read(SessionKind.self, at: RefLayout.session(id)) else { return nil }
        return Session(record: record.payload, now: nowMillis(), ttl: settings.sessionTTL)
    }

    // MARK: Updating

    /// Applies `change` to a session's record and refreshes its presence (branch, changed files, seen),
    /// writing only when something changed or the heartbeat is due.
    @discardableResult
    public func update(_ session: Session, forceHeartbeat: Bool = false, scan: WorktreeScan = .full,
                       _ change: (inout SessionRecord) throws -> Void = { _ in }) throws -> Session {
        let ref = RefLayout.session(session.id)
        let now = nowMillis()
        var written = session.record
        try store.update(SessionKind.self, at: ref, message: "update \(session.name)") { current in
            guard let old = current?.payload else { throw CoordError.unknownSession(session.id, live: []) }
            if old.ended != nil { throw CoordError.sessionEnded(old.name) }
            var record = old
            try change(&record)
            record.seen = now
            refreshFromWorktree(&record, scan: scan, now: now)
            written = record
            // A clock that went back (a wrong clock, a clock corrected) would make the heartbeat never due again.
            let elapsed = Double(now - old.seen) / 1000
            let due = elapsed >= settings.heartbeatInterval || elapsed < 0
            if elapsed < -1 && !coordination.warnings.contains(where: { $0.hasPrefix(Self.clockWarning) }) {
                warn(Self.clockWarning + "reads \(formatAge(-elapsed)) before this session's last write; "
                     + "other sessions judge liveness by the times written, so check the clock (date)")
            }
            if record.sameContent(as: old) && !due && !forceHeartbeat { written = old; return nil }
            return record
        }
        return Session(record: written, now: now, ttl: settings.sessionTTL)
    }

    /// The task the session says itself: nothing taken from the user's words replaces it afterwards.
    public func setTask(_ task: String, for session: Session) throws {
        try Self.validateTask(task)
        try update(session) { record in
            record.task = task
            record.taskSource = .explicit
        }
    }

    /// A task taken from what the user asked (`source` .title: the title the agent generated; .prompt: the first
    /// line of the first prompt): a title replaces a task taken from a prompt; nothing replaces a task the session
    /// set itself; a prompt is taken only while there is no task at all.
    public static func propose(task text: String, source: TaskSource, to record: inout SessionRecord) {
        guard record.taskSource != .explicit else { return }
        let line = text.split(whereSeparator: \.isNewline).lazy.map { String($0).trimmingSpacesAndTabs }.first { !$0.isEmpty }
        guard let line else { return }
        let task = line.count > Self.proposedTaskLength ? String(line.prefix(Self.proposedTaskLength - 1)) + "…" : line
        switch source {
        case .title where record.task != task || record.taskSource != .title:
            record.task = task
            record.taskSource = .title
        case .prompt where record.task.isEmpty && record.taskSource == nil:
            record.task = task
            record.taskSource = .prompt
        default:
            return
        }
    }

    /// A task taken from the user's words is cut to this many characters: one line in a listing.
    public static let proposedTaskLength = 100

    /// Records repository-relative paths as touched now; the newest touch of each path wins. `scan` says how much
    /// of the worktree to look at for uncommitted files (agents' edit hooks: only the edited paths, mostly).
    public func touch(_ paths: [String], for session: Session, scan: WorktreeScan = .full) throws {
        let now = nowMillis()
        try update(session, scan: scan) { record in
            let fresh = Set(paths)
            record.touched.removeAll { fresh.contains($0.path) }
            record.touched.append(contentsOf: paths.map { TouchedFile(path: $0, at: now) })
            record.touched.sort { $0.at > $1.at }
            if record.touched.count > Self.maximumFiles { record.touched.removeLast(record.touched.count - Self.maximumFiles) }
        }
    }

    public func heartbeat(_ session: Session) throws -> Session { try update(session) }

    /// Marks the session ended. Its name becomes free, and it leaves every default view.
    public func stop(_ session: Session) throws {
        let now = nowMillis()
        try store.update(SessionKind.self, at: RefLayout.session(session.id), message: "stop \(session.name)") { current in
            guard var record = current?.payload, record.ended == nil else { return nil }
            record.ended = now
            record.seen = now
            return record
        }
    }

    static let clockWarning = "this machine's clock "

    /// `coord.taskFromPrompt=false`: the first prompt never becomes the task (for users who keep secrets in prompts).
    public var takesTaskFromPrompt: Bool { repository.configBool("coord.taskFromPrompt") ?? true }

    /// A record holds at most this many touched and changed files each, the newest.
    public static let maximumFiles = 200

    /// Branch, head and uncommitted files of the session's own worktree (not the caller's: `--session` may name
    /// a session elsewhere). A worktree that is gone or unreadable leaves the record as it was.
    /// How much of the worktree a session write looks at for uncommitted files.
    public enum WorktreeScan: Sendable {
        /// A status of every file: on start, heartbeats, task changes, `touch` and the git hooks.
        case full
        /// Only these paths, while the last full scan is younger than `coord.heartbeatInterval`; a full scan
        /// otherwise. Agents' edit hooks run after every edit, and a status of a 20,000-file worktree costs
        /// about 60 ms; the edited files are what changed, and a full scan still comes once a heartbeat.
        case edited([String])
    }

    func refreshFromWorktree(_ record: inout SessionRecord, scan: WorktreeScan = .full, now: Millis = nowMillis()) {
        let worktree: Repository
        if record.worktree == repository.workdir {
            worktree = repository
        } else if let other = try? Repository.open(exactly: record.worktree) {
            worktree = other
        } else {
            return
        }
        record.branch = worktree.currentBranch
        record.head = worktree.headCommit.map { String($0.hex.prefix(12)) }
        if case .edited(let paths) = scan, let scanned = record.scanned, now >= scanned,
           Double(now - scanned) / 1000 < settings.heartbeatInterval {
            record.changed = Array(WorktreeChanges.update(record.changed, paths: paths, in: worktree).prefix(Self.maximumFiles))
        } else if let changes = try? WorktreeChanges.list(in: worktree, previous: record.changed) {
            record.changed = Array(changes.prefix(Self.maximumFiles))
            record.scanned = now
        }
    }

    // MARK: Validation

    static func validateTask(_ task: String) throws {
        if task.count > maximumTaskLength { throw CoordError.textTooLong(what: "the task", limit: maximumTaskLength) }
    }

    static func isValidName(_ name: String) -> Bool { nameProblem(name) == nil }

    static func validateName(_ name: String, what: String = "session name") throws {
        if let problem = nameProblem(name) {
            throw what == "session name" ? CoordError.invalidName(name, reason: problem)
                                         : CoordError.invalidText(what: "invalid \(what) '\(Display.neutralised(name))'", reason: problem)
        }
    }

    /// Names become parts of ref names: a safe subset of what git allows, so no name can escape its folder.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.count > maximumNameLength { return "it is longer than \(maximumNameLength) characters" }
        guard let first = name.unicodeScalars.first, first.properties.isASCIIHexDigit || ("a"..."z").contains(first) || ("A"..."Z").contains(first) || ("0"..."9").contains(first) else {
            return "it must start with a letter or digit"
        }
        for scalar in name.unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == "."
            if !ok { return "it may hold only letters, digits, '.', '_' and '-'" }
        }
        if name.contains("..") || name.hasSuffix(".lock") || name.hasSuffix(".") { return "git does not allow it in a ref name" }
        return nil
    }
}

extension String {
    var trimmingSpacesAndTabs: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
