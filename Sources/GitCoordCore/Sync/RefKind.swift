/// What sync does with a ref, decided from its name under refs/coord/v1/ alone. See docs/design.md, "Sync".
public enum RefKind: Equatable, Sendable {
    /// `sessions/<id>`: one writer; when the chain forked, the newest record is kept by a merge commit.
    case presence
    /// `log/<id>` (notes and outgoing messages), `cursors/<id>`: single-writer logs; they only fast-forward, and a fork is
    /// reported, never merged or dropped.
    case log
    /// `claims/paths/<hash>`, `claims/patterns/<hash>`: a compare-and-swap arbiter any session may write; a fork (two clones claimed the same
    /// pattern while apart) is settled by a merge commit naming one deterministic holder.
    case claim
    /// `pins/<id>`: an arbiter any session may move; a fork (unpinned on one side) keeps the removal.
    case pin
    /// `names/<name>`, `agents/...`, `delivered/<id>`, `roster/<id>`: this clone's own; never sent or taken.
    case localOnly
    /// Anything else: not written by this version of git-coord, so never integrated.
    case unknown

    /// Classifies `rest`, a ref name with the refs/coord/v1/ prefix removed, by the record kind it belongs to.
    public init(_ rest: String) {
        switch RecordKinds.kind(of: rest)?.forks {
        case .keepNewest?: self = .presence
        case .report?: self = .log
        case .settle?: self = .claim
        case .removalWins?: self = .pin
        case .neverShared?: self = .localOnly
        case nil: self = .unknown
        }
    }

    /// Written by any session through compare-and-swap, so no single clone owns a chain of it.
    var isArbiter: Bool { self == .claim || self == .pin }

    /// Whether sync takes this kind from a remote and sends it there.
    var isShared: Bool { self != .localOnly && self != .unknown }
}
