/// What sync does with a ref, decided from its name under refs/coord/v1/ alone. See docs/design.md, "Sync".
public enum RefKind: Equatable, Sendable {
    /// `sessions/<id>`: one writer; when the chain forked, the newest record is kept by a merge commit.
    case presence
    /// `log/<id>` (notes and outgoing messages, issue 3), `cursors/<id>`: single-writer logs; they only fast-forward, and a fork is
    /// reported, never merged or dropped.
    case log
    /// `claims/paths/<hash>`, `claims/patterns/<hash>` (issue 4): a compare-and-swap arbiter any session may write; a fork (two clones claimed the same
    /// pattern while apart) is settled by a merge commit naming one deterministic holder.
    case claim
    /// `names/<name>`: this clone's own arbiter for live-session name uniqueness; never sent or taken.
    case localOnly
    /// Anything else: not written by this version of git-coord, so never integrated.
    case unknown

    /// Folders whose refs are single-writer logs, each named by (or under) its writer's session id.
    static let logFolders: Set<String> = ["log", "cursors"]

    /// Classifies `rest`, a ref name with the refs/coord/v1/ prefix removed.
    public init(_ rest: String) {
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.dropFirst().allSatisfy(Coordination.isValidName) else {
            self = .unknown
            return
        }
        switch (parts[0], parts.count) {
        case ("sessions", 2): self = .presence
        case ("claims", 3) where ["paths", "patterns"].contains(parts[1]) && parts[2].utf8.count == 40: self = .claim
        case ("names", 2): self = .localOnly
        case (let folder, 2) where Self.logFolders.contains(folder): self = .log
        default: self = .unknown
        }
    }

    /// Whether sync takes this kind from a remote and sends it there.
    var isShared: Bool { self != .localOnly && self != .unknown }
}
