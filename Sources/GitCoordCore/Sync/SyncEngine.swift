import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// `git coord sync`: fetch a remote's coordination refs into our own namespace, integrate them into
/// refs/coord/v1/ with libgit2, and push back the refs this clone owns, each a compare-and-swap on the server.
/// See docs/design.md, "Sync".
public final class SyncEngine {
    let coordination: Coordination
    let transport: GitTransport
    public let remote: String
    /// This clone's id: records stamped with it belong to this clone.
    let clone: String
    var store: RecordStore { coordination.store }
    var trackingRoot: String { RefLayout.remoteRoot(remote) }

    /// How many rounds (fetch, integrate, push) a sync runs when the remote moved under its push.
    static let rounds = 3
    /// Why a ref was not pushed when other clones kept moving it: a busy remote, not a refusal.
    static let busyReason = "the remote kept changing it"
    /// A fetched chain may add at most this many commits to one ref in one sync.
    static let maximumNewCommits = 200_000

    public init(_ coordination: Coordination, remote: String, unattended: Bool = false) throws {
        try coordination.sharing.requireSharedRemote(remote)
        self.coordination = coordination
        self.remote = remote
        clone = try CloneIdentity.id(in: coordination.repository)
        transport = GitTransport(remote: remote, directory: coordination.repository.workdir ?? coordination.repository.commonDir,
                                 unattended: unattended)
    }

    /// One full sync. Throws only when the remote cannot be reached (local state is then unchanged); everything
    /// else that needs attention is in the report.
    public func run() throws -> SyncReport {
        try run(holding: try SyncLock(commonDir: coordination.repository.commonDir))
    }

    /// One full sync under a lock already taken (the background sync's child inherits its lock); releases it.
    func run(holding lock: SyncLock) throws -> SyncReport {
        defer { lock.release() }
        var report = SyncReport(remote: remote, clone: clone)
        for round in 1...Self.rounds {
            let mirrored = Set(try store.refs(under: trackingRoot).map(\.name))
            try transport.fetch()
            if round == 1 { report.deletedOnRemote = try vanished(from: mirrored) }
            try integrate(into: &report)
            let stale = try pushOwned(into: &report, lastRound: round == Self.rounds)
            if stale.isEmpty { break }
        }
        report.received = Array(Set(report.received)).sorted()
        report.pushed = Array(Set(report.pushed)).sorted()
        return report
    }

    /// Refs the remote had at the last sync and has no more. git-coord never deletes a ref on a remote (gc is local),
    /// so someone else did: a hosting service that drops custom refs, or a person. Named as ours (refs/coord/v1/...).
    func vanished(from mirrored: Set<String>) throws -> [String] {
        let now = Set(try store.refs(under: trackingRoot).map(\.name))
        return mirrored.subtracting(now).map { RefLayout.root + $0.dropFirst(trackingRoot.count) }.sorted()
    }

    /// Fetches and integrates without pushing anything (`claim --remote` uses this before it claims).
    public func fetchAndIntegrate() throws -> SyncReport {
        var report = SyncReport(remote: remote, clone: clone)
        try transport.fetch()
        try integrate(into: &report)
        return report
    }

    // MARK: Push

    /// Pushes every shared ref this clone is strictly ahead on. Returns the refs whose lease went stale (the
    /// remote moved since the fetch): the caller fetches and tries again.
    @discardableResult
    func pushOwned(into report: inout SyncReport, lastRound: Bool) throws -> [String] {
        let items = try pushCandidates()
        guard !items.isEmpty else { return [] }
        let statuses = try transport.push(items)
        var stale: [String] = []
        for item in items {
            switch statuses[item.ref] ?? .refused("no status reported by git push") {
            case .accepted, .upToDate:
                report.pushed.append(item.ref)
                report.refused.removeAll { $0.ref == item.ref }
                recordPushed(item)
                forgetIfReleasedClaim(item)
            case .stale:
                stale.append(item.ref)
                if lastRound {
                    report.refused.append(.init(ref: item.ref, reason: "\(Self.busyReason) (lease lost \(Self.rounds) times)"))
                }
            case .refused(let reason):
                report.refused.removeAll { $0.ref == item.ref }
                report.refused.append(.init(ref: item.ref, reason: reason))
            }
        }
        return stale
    }

    /// The refs to push: shared kinds where the local chain strictly contains what the remote has (or the remote
    /// has nothing), and, for single-writer kinds, whose head this clone wrote. Every such push is a fast-forward.
    func pushCandidates() throws -> [GitTransport.PushItem] {
        let remoteHeads = Dictionary(try store.refs(under: trackingRoot).map { ($0.name.dropFirst(trackingRoot.count), $0.target) },
                                     uniquingKeysWith: { a, _ in a })
        var items: [GitTransport.PushItem] = []
        for (ref, local) in try store.refs(under: RefLayout.root) {
            let rest = ref.dropFirst(RefLayout.root.count)
            let kind = RefKind(String(rest))
            guard kind.isShared else { continue }
            let remoteHead = remoteHeads[rest]
            if let remoteHead {
                guard (try? store.relation(of: local, to: remoteHead)) == .ahead else { continue }
            }
            if !kind.isArbiter {
                let owner = store.clone(of: local)
                guard owner == clone || owner == nil else { continue }
            }
            if let problem = store.recordProblem(local) {
                coordination.warn("not sending \(ref): its record is malformed: \(problem) ('git coord doctor' says more)")
                continue
            }
            items.append(.init(ref: ref, new: local, expected: remoteHead))
        }
        return items
    }

    /// After an accepted push the remote holds our value: record it in the mirror, so that the next integration
    /// starts from the truth even before the next fetch.
    func recordPushed(_ item: GitTransport.PushItem) {
        let mirror = trackingRoot + item.ref.dropFirst(RefLayout.root.count)
        try? store.compareAndSwap(mirror, to: item.new, expecting: item.expected, message: "pushed to \(remote)")
    }
}

/// One sync at a time per repository (a hook-started sync and a manual one would otherwise race on the mirror
/// refs). flock: the kernel drops it when the process dies, so a crash never leaves it held.
struct SyncLock {
    let lock: FileLock?
    let adopted: Int32?

    init(commonDir: String) throws {
        do {
            let lock = try FileLock(path: commonDir + "/coord-sync.lock")
            try lock.lock()
            self.lock = lock
            adopted = nil
        } catch let error as SystemError {
            throw CoordError.system(what: "lock \(commonDir)/coord-sync.lock", reason: error.reason)
        }
    }

    /// A lock taken by another process and handed over on `descriptor` (the background sync's child).
    init(adopting descriptor: Int32) {
        lock = nil
        adopted = descriptor
    }

    func release() {
        lock?.unlock()
        if let adopted {
            flock(adopted, LOCK_UN)
            close(adopted)
        }
    }
}
