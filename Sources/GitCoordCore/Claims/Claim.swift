/// A claim record: what `refs/coord/v1/claims/<blob id of pattern>` holds. See docs/design.md, "Claims".
public struct ClaimRecord: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public var version: Int = ClaimRecord.currentVersion
    public var pattern: String
    public var kind: ClaimKind
    /// The holder's session id, and its name when it claimed (for display when its record is gone).
    public var session: String
    public var name: String
    public var reason: String?
    /// When this holder took the claim (kept when it re-claims); orders overlapping claims: earliest wins.
    public var claimed: Millis
    /// When the holder last claimed it again.
    public var renewed: Millis
    public var expires: Millis
    /// Set when the holder released it, on a claim a remote has (one no remote has is deleted instead): the released
    /// record reaches the remote by a fast-forward, and sync then deletes the ref.
    public var released: Millis?
    /// The holder this claim was taken from, if it was taken rather than created or released before.
    public var takenFrom: Takeover.Victim?
    /// Live claims of other patterns that overlapped this one when it was taken with --force.
    public var overrode: [Takeover.Victim]?

    public var claimPattern: ClaimPattern { ClaimPattern(text: pattern, kind: kind) }
}

/// Why a claim no longer counts. Claims are void by state, never by a write: nothing has to run for a
/// claim to end, so no claim outlives its session and none can block a rebase or a merge.
public enum ClaimState: String, Codable, Sendable {
    case live, released, expired
    /// The holder session ended, went stale (silent longer than coord.sessionTTL), or has no record.
    case holderEnded = "holder-ended", holderStale = "holder-stale", holderUnknown = "holder-unknown"
}

/// A claim as read back: its record, its state now, and its holder session when that has a record.
public struct Claim: Sendable {
    public let ref: String
    public let commit: ObjectID
    public let record: ClaimRecord
    public let state: ClaimState
    public let holder: Session?

    public var pattern: ClaimPattern { record.claimPattern }
    public var isLive: Bool { state == .live }

    init(ref: String, commit: ObjectID, record: ClaimRecord, holder: Session?, now: Millis) {
        self.ref = ref
        self.commit = commit
        self.record = record
        self.holder = holder
        if record.released != nil {
            state = .released
        } else if record.expires <= now {
            state = .expired
        } else if let holder {
            switch holder.state {
            case .live: state = .live
            case .stale: state = .holderStale
            case .ended: state = .holderEnded
            }
        } else {
            state = .holderUnknown
        }
    }

    /// Overlapping claims are ordered by when their holders took them, then by session id: the earlier one
    /// stands. Every clone computes the same order from the records alone.
    func isBefore(_ other: Claim) -> Bool {
        (record.claimed, record.session) < (other.record.claimed, other.record.session)
    }
}

/// One claim of a session taken by another one: by --force while it was live, or after it lapsed.
public struct Takeover: Sendable {
    /// Who held a claim before it was taken, and in which state it was then.
    public struct Victim: Codable, Equatable, Sendable {
        public var session: String
        public var name: String
        public var pattern: String
        /// The state the claim was in when it was taken; `live` means it was taken with --force.
        public var state: ClaimState
        public var at: Millis
        /// The taker sent this holder a direct message about it (lapsed claims; forced ones always were). Absent in
        /// records of versions before it, whose takeovers of lapsed claims are delivered from the record instead.
        public var told: Bool? = nil
    }

    public let victim: Victim
    /// The claim as it stands now, held by the taker.
    public let claim: Claim
    public var forced: Bool { victim.state == .live }
}
