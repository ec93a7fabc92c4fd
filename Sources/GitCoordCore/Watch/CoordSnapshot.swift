/// What a live view of the repository's coordination shows (`git coord watch`): every session, every claim and the
/// newest notes, read once each time the coordination refs change. States (live, stale, expired) are computed for
/// the moment of display from the records, so ages and expiries move on with the clock without reading (or
/// writing) anything again.
public struct CoordSnapshot: Sendable {
    public let sessionRecords: [SessionRecord]
    public let claimRecords: [ClaimEntry]
    /// The newest notes, oldest first.
    public let notes: [LogRecord]
    public let sessionTTL: Double
    /// This clone's id, so views can label sessions of other clones.
    public let cloneID: String?

    public struct ClaimEntry: Sendable {
        public let ref: String
        let commit: ObjectID
        public let record: ClaimRecord
    }

    /// The sessions as they stand at `now`, newest first.
    public func sessions(at now: Millis) -> [Session] {
        sessionRecords.map { Session(record: $0, now: now, ttl: sessionTTL) }
    }

    /// The claims as they stand at `now`, in ref order.
    public func claims(at now: Millis) -> [Claim] {
        let holders = Dictionary(sessions(at: now).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return claimRecords.map { Claim(ref: $0.ref, commit: $0.commit, record: $0.record, holder: holders[$0.record.session], now: now) }
    }
}

extension CoordSnapshot {
    /// Reads everything a live view shows: sessions, claims, and the newest `notes` notes. Writes nothing.
    public init(of coordination: Coordination, notes: Int) throws {
        let now = nowMillis()
        let sessions = try coordination.sessions.all(now: now)
        let claims = try coordination.claims.all(now: now)
        self.init(sessionRecords: sessions.map(\.record),
                  claimRecords: claims.map { .init(ref: $0.ref, commit: $0.commit, record: $0.record) },
                  notes: notes > 0 ? try coordination.messages.feed(limit: notes, now: now) : [],
                  sessionTTL: coordination.settings.sessionTTL, cloneID: coordination.cloneID)
    }
}

/// One change between two moments of a live view, for `git coord watch --json` and for highlighting what changed.
/// Computed from two snapshots (and the clock), never from the refs' history: a change that came and went between
/// two looks is not seen.
public enum CoordChange: Sendable, Equatable {
    case sessionStarted(id: String)
    /// Its task, branch, files or head changed (a heartbeat alone is not a change).
    case sessionUpdated(id: String)
    case sessionStale(id: String)
    /// Live again after being stale.
    case sessionBack(id: String)
    case sessionEnded(id: String)
    /// Its record is gone (`git coord gc`).
    case sessionGone(id: String)
    case claimTaken(ref: String)
    /// Claimed again by its holder (extended), or taken by another session.
    case claimRenewed(ref: String)
    /// Released, expired, or void because its holder ended or went stale.
    case claimEnded(ref: String)
    case note(id: String)

    /// The session, claim ref or note id the change is about.
    public var subject: String {
        switch self {
        case .sessionStarted(let id), .sessionUpdated(let id), .sessionStale(let id), .sessionBack(let id),
             .sessionEnded(let id), .sessionGone(let id), .note(let id):
            return id
        case .claimTaken(let ref), .claimRenewed(let ref), .claimEnded(let ref):
            return ref
        }
    }

    /// Every change from `old` at `then` to `new` at `now` (`old` nil: nothing was known, everything is new).
    public static func between(_ old: CoordSnapshot?, at then: Millis, and new: CoordSnapshot, at now: Millis) -> [CoordChange] {
        var changes: [CoordChange] = []
        let before = Dictionary((old?.sessions(at: then) ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let after = new.sessions(at: now)
        for session in after.reversed() {
            guard let previous = before[session.id] else {
                if session.state != .ended { changes.append(.sessionStarted(id: session.id)) }
                continue
            }
            switch (previous.state, session.state) {
            case (.live, .stale): changes.append(.sessionStale(id: session.id))
            case (.stale, .live): changes.append(.sessionBack(id: session.id))
            case (.live, .ended), (.stale, .ended): changes.append(.sessionEnded(id: session.id))
            case (.ended, .live), (.ended, .stale): changes.append(.sessionStarted(id: session.id))
            default:
                if !previous.record.sameContent(as: session.record) { changes.append(.sessionUpdated(id: session.id)) }
            }
        }
        let present = Set(after.map(\.id))
        for (id, session) in before where !present.contains(id) && session.state != .ended {
            changes.append(.sessionGone(id: id))
        }

        let claimsBefore = Dictionary((old?.claims(at: then) ?? []).map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        for claim in new.claims(at: now) {
            let previous = claimsBefore[claim.ref]
            switch (previous?.isLive ?? false, claim.isLive) {
            case (false, true): changes.append(.claimTaken(ref: claim.ref))
            case (true, false): changes.append(.claimEnded(ref: claim.ref))
            case (true, true) where previous?.record != claim.record: changes.append(.claimRenewed(ref: claim.ref))
            default: break
            }
        }

        let seenNotes = Set((old?.notes ?? []).map(\.itemID))
        let newestBefore = old?.notes.last
        for note in new.notes where !seenNotes.contains(note.itemID) {
            // A note older than everything shown before is history that scrolled in, not news.
            if let newestBefore, LogRecord.precedes(note, newestBefore) { continue }
            changes.append(.note(id: note.itemID))
        }
        return changes
    }
}
