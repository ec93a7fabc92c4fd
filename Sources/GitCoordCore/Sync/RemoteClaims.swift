#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `git coord claim --remote`: a claim that holds across machines, taken on the remote itself.
///
/// Sync first (so the other clones' live claims are seen and refuse us locally, naming their holder), claim locally, then push the claim refs in one `git push --atomic`, each with
/// `--force-with-lease=<ref>:<value fetched>` (empty: create only). The server accepts that update for one clone
/// only; a clone that loses the race withdraws its local claim and is told who holds it.
extension ClaimService {
    public static let claimOnRemoteKey = "coord.claimOnRemote"

    /// Whether claims go to the remote by default (`coord.claimOnRemote`).
    public var onRemoteByDefault: Bool { repository.configBool(Self.claimOnRemoteKey) ?? false }

    public func claimOnRemote(_ patterns: [ClaimPattern], for session: Session, ttl: Double, reason: String?, force: Bool,
                              remote: String) throws -> [(ClaimPattern, ClaimOutcome)] {
        let engine = try SyncEngine(coordination, remote: remote)
        // A full sync first: the other clones' sessions and claims come down (so a live claim there refuses us
        // here, naming its holder), and our session goes up (so the others know the holder of what we take).
        for problem in try engine.run().rejected { warn("ignored \(problem.ref) from '\(remote)': \(problem.reason)") }

        let outcomes = try claim(patterns, for: session, ttl: ttl, reason: reason, force: force)
        let items = try patterns.map { pattern in
            GitTransport.PushItem(ref: pattern.refName, new: try store.target(of: pattern.refName)!,
                                  expected: try store.target(of: engine.trackingRoot + pattern.refName.dropFirst(RefLayout.root.count)))
        }
        let statuses = try engine.transport.push(items, atomic: true)
        let failed = items.filter { statuses[$0.ref] != .accepted && statuses[$0.ref] != .upToDate }
        guard !failed.isEmpty else {
            for item in items { engine.recordPushed(item) }
            return outcomes
        }

        // Lost on the server: withdraw here, learn who holds it there, and say so.
        _ = try? release(patterns, for: session)
        _ = try? engine.fetchAndIntegrate()
        let claims = try all()
        throw RemoteClaimRefused(remote: remote, refused: failed.map { item in
            let pattern = patterns.first { $0.refName == item.ref }!
            let holder = claims.first { $0.ref == item.ref && $0.record.session != session.id }
            var reason: String? = nil
            if case .refused(let text)? = statuses[item.ref], !text.contains("atomic") { reason = text }
            return .init(pattern: pattern.text, holder: holder.map { $0.holder?.name ?? $0.record.name },
                         holderClone: holder.flatMap { $0.holder?.record.clone }, reason: reason)
        })
    }
}

/// `claim --remote` lost on the server: another clone took the pattern first (or the server refused the push).
/// Nothing stays claimed, here or there.
public struct RemoteClaimRefused: Error, Sendable {
    public struct Refusal: Sendable {
        public let pattern: String
        /// Who holds it on the remote now, when that could be read back.
        public let holder: String?
        public let holderClone: String?
        /// The server's reason, when it refused for another reason than a lost race.
        public let reason: String?
    }
    public let remote: String
    public let refused: [Refusal]
}
