/// The stable JSON form of a claim (`git coord claims --json`). Fields are only ever added within version 1.
public struct ClaimView: Encodable, Sendable {
    public struct Victim: Encodable, Sendable {
        public let session: String
        public let name: String
        public let pattern: String
        public let state: String
        public let at: String
    }

    public let pattern: String
    public let kind: String
    public let ref: String
    public let state: String
    public let session: String
    public let name: String
    public let task: String?
    public let branch: String?
    public let worktree: String?
    public let reason: String?
    public let claimedAt: String
    public let renewedAt: String
    public let expiresAt: String
    public let expiresInSeconds: Int
    public let releasedAt: String?
    public let takenFrom: Victim?
    public let overrode: [Victim]?
    /// The clone the holder session runs in, when its presence record says; another clone's claims
    /// arrive by `git coord sync`.
    public let clone: String?

    public init(_ claim: Claim, now: Millis = nowMillis()) {
        let record = claim.record
        clone = claim.holder?.record.clone
        pattern = record.pattern
        kind = record.kind.rawValue
        ref = claim.ref
        state = claim.state.rawValue
        session = record.session
        name = claim.holder?.name ?? record.name
        task = claim.holder?.record.task
        branch = claim.holder?.record.branch
        worktree = claim.holder?.record.worktree
        reason = record.reason
        claimedAt = iso8601(record.claimed)
        renewedAt = iso8601(record.renewed)
        expiresAt = iso8601(record.expires)
        expiresInSeconds = Int(max(0, record.expires - now) / 1000)
        releasedAt = record.released.map(iso8601)
        takenFrom = record.takenFrom.map(Self.victim)
        overrode = record.overrode.map { $0.map(Self.victim) }
    }

    static func victim(_ v: Takeover.Victim) -> Victim {
        Victim(session: v.session, name: v.name, pattern: v.pattern, state: v.state.rawValue, at: iso8601(v.at))
    }
}

public struct ClaimListView: Encodable, Sendable {
    public let schema = "git-coord.claims/1"
    public let claims: [ClaimView]

    public init(_ claims: [Claim], now: Millis = nowMillis()) {
        self.claims = claims.map { ClaimView($0, now: now) }
    }
}

/// `git coord check --json`: one entry per other session found on a path.
public struct OverlapView: Encodable, Sendable {
    public let path: String
    /// `claim`, `touched` (named by the session) or `changed` (uncommitted in its worktree).
    public let reason: String
    public let session: String
    public let name: String
    public let task: String
    public let branch: String?
    public let worktree: String
    /// For a claim: the claimed pattern and the claim itself.
    public let claim: ClaimView?
    /// For a touched or changed file: when.
    public let at: String?

    public init(_ overlap: Overlap, now: Millis = nowMillis()) {
        path = overlap.path
        let record = overlap.session.record
        session = record.id
        name = record.name
        task = record.task
        branch = record.branch
        worktree = record.worktree
        switch overlap.reason {
        case .claim(let claim):
            reason = "claim"
            self.claim = ClaimView(claim, now: now)
            at = nil
        case .touched(let time):
            reason = "touched"
            claim = nil
            at = iso8601(time)
        case .changed(let time):
            reason = "changed"
            claim = nil
            at = iso8601(time)
        }
    }
}

public struct CheckView: Encodable, Sendable {
    public let schema = "git-coord.check/1"
    public let paths: [String]
    public let overlaps: [OverlapView]

    public init(paths: [String], overlaps: [Overlap], now: Millis = nowMillis()) {
        self.paths = paths
        self.overlaps = overlaps.map { OverlapView($0, now: now) }
    }
}

/// `git coord claims --taken --json`: the session's claims that others took.
public struct TakeoverListView: Encodable, Sendable {
    public struct Entry: Encodable, Sendable {
        /// What the session held, and in which state, when it was taken.
        public let taken: ClaimView.Victim
        public let forced: Bool
        /// The claim as it stands now.
        public let claim: ClaimView
    }

    public let schema = "git-coord.takeovers/1"
    public let takeovers: [Entry]

    public init(_ takeovers: [Takeover], now: Millis = nowMillis()) {
        self.takeovers = takeovers.map {
            Entry(taken: ClaimView.victim($0.victim), forced: $0.forced, claim: ClaimView($0.claim, now: now))
        }
    }
}
