/// What one `git coord sync` did, for the command to print (quietly: only what needs attention) or emit as JSON.
public struct SyncReport: Encodable, Sendable {
    public let schema = "git-coord.sync/1"
    public var remote: String
    public var clone: String
    /// Local refs created or fast-forwarded from the remote.
    public var received: [String] = []
    /// Refs the remote accepted from this clone.
    public var pushed: [String] = []
    /// Refs the remote refused, each with its reason (a hook that declined, a lease lost three times, ...).
    public var refused: [Problem] = []
    /// Refs whose local and remote chains each have commits the other lacks.
    public var forks: [Fork] = []
    /// Claims two clones took on the same pattern while apart, and who holds each now.
    public var claimsSettled: [ClaimSettlement] = []
    /// What came from the remote and was not taken: malformed records, huge blobs, unknown ref names, records
    /// pretending to come from this clone. Local state is untouched by each.
    public var rejected: [Problem] = []
    /// Refs the remote had at the previous sync and no longer has (git-coord never deletes refs there); those this
    /// clone owns are pushed again.
    public var deletedOnRemote: [String] = []

    public struct Problem: Encodable, Sendable, Equatable {
        public var ref: String
        public var reason: String
    }

    public struct Fork: Encodable, Sendable, Equatable {
        public var ref: String
        /// Commits only this clone has, and commits only the remote has.
        public var localOnly: Int
        public var remoteOnly: Int
        /// The remote's head of the ref (what a restoring `git push --force-with-lease` must expect).
        public var remoteHead: String
        /// `kept-newest` (presence), `settled` (claims), or `reported` (logs: left as they are, not pushed).
        public var resolution: String
        /// The log belongs to a session of this clone: someone rewrote it on the remote (a forced push), or a copy
        /// of this clone's .git writes under the same clone id.
        public var ownedHere: Bool
    }

    public struct Holder: Encodable, Sendable, Equatable {
        public var session: String
        public var name: String
        public var clone: String?
    }

    public struct ClaimSettlement: Encodable, Sendable, Equatable {
        public var pattern: String
        public var holder: Holder
        public var loser: Holder
        /// The losing claim was this clone's: its session no longer holds the pattern.
        public var lostHere: Bool
    }

    /// True when something needs a person's attention (exit status 1).
    public var needsAttention: Bool { !refused.isEmpty || forks.contains { $0.resolution == "reported" } }
}
