/// One line of `git coord watch --json`: the whole state first (`snapshot`), then one event per change.
public struct WatchEventView: Encodable, Sendable {
    public let schema = "git-coord.watch/1"
    /// `snapshot`, `session.started`, `session.updated`, `session.stale`, `session.live`, `session.ended`,
    /// `session.gone`, `claim.taken`, `claim.renewed`, `claim.ended` or `note`.
    public let event: String
    public let at: String
    public let sessions: [SessionView]?
    public let claims: [ClaimView]?
    public let notes: [LogItemView]?
    public let session: SessionView?
    public let claim: ClaimView?
    public let note: LogItemView?
    /// The session or claim ref the event is about, when its record is gone.
    public let id: String?

    /// The state at `now`: live sessions and claims, the newest notes.
    public init(snapshot: CoordSnapshot, now: Millis) {
        event = "snapshot"
        at = iso8601(now)
        sessions = snapshot.sessions(at: now).filter { $0.state != .ended }.map { SessionView($0, now: now) }
        claims = snapshot.claims(at: now).filter(\.isLive).map { ClaimView($0, now: now) }
        notes = snapshot.notes.map { LogItemView($0, now: now) }
        (session, claim, note, id) = (nil, nil, nil, nil)
    }

    /// One change, with the record it is about as it stands at `now`.
    public init(_ change: CoordChange, in snapshot: CoordSnapshot, now: Millis) {
        at = iso8601(now)
        (sessions, claims, notes) = (nil, nil, nil)
        var session: SessionView?, claim: ClaimView?, note: LogItemView?, id: String?
        switch change {
        case .sessionStarted, .sessionUpdated, .sessionStale, .sessionBack, .sessionEnded, .sessionGone:
            if let found = snapshot.sessions(at: now).first(where: { $0.id == change.subject }) {
                session = SessionView(found, now: now)
            } else {
                id = change.subject
            }
        case .claimTaken, .claimRenewed, .claimEnded:
            if let found = snapshot.claims(at: now).first(where: { $0.ref == change.subject }) {
                claim = ClaimView(found, now: now)
            } else {
                id = change.subject
            }
        case .note:
            note = snapshot.notes.first { $0.itemID == change.subject }.map { LogItemView($0, now: now) }
        }
        switch change {
        case .sessionStarted: event = "session.started"
        case .sessionUpdated: event = "session.updated"
        case .sessionStale: event = "session.stale"
        case .sessionBack: event = "session.live"
        case .sessionEnded: event = "session.ended"
        case .sessionGone: event = "session.gone"
        case .claimTaken: event = "claim.taken"
        case .claimRenewed: event = "claim.renewed"
        case .claimEnded: event = "claim.ended"
        case .note: event = "note"
        }
        (self.session, self.claim, self.note, self.id) = (session, claim, note, id)
    }
}
