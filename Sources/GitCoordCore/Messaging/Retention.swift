#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `git coord gc`: dropping what no one needs any more, without ever rewriting a chain.
///
/// Logs are never rewritten (a rewritten log would no longer fast-forward for sync across clones), so the
/// unit of retention is a whole log: the log of a session that is gone (ended, or stale for longer than
/// `staleAfter`) is dropped once its newest item is older than `retention` and every session that is not
/// gone has seen everything in it meant for it. A live session's log is kept whole for its lifetime.
public struct RetentionService: CoordinationService {
    public let coordination: Coordination

    public struct RetentionPolicy: Sendable {
        /// Keep a gone session's log while its newest item is younger than this (the feed's history).
        public var retention: Double = 7 * 86400
        /// A stale session silent for longer than this is gone: its records are dropped.
        public var staleAfter: Double = 7 * 86400

        public init(retention: Double = 7 * 86400, staleAfter: Double = 7 * 86400) {
            self.retention = retention
            self.staleAfter = staleAfter
        }
    }

    /// The policy from `coord.gcRetention` and `coord.gcStaleAfter`, else the defaults.
    public func policy() throws -> RetentionPolicy {
        var policy = RetentionPolicy()
        policy.retention = try repository.durationSetting("coord.gcRetention", example: "7d") ?? policy.retention
        policy.staleAfter = try repository.durationSetting("coord.gcStaleAfter", example: "7d") ?? policy.staleAfter
        return policy
    }

    public struct CollectionReport: Sendable {
        /// Refs deleted (or, in a dry run, that would be).
        public var dropped: [String] = []
        /// Logs of gone sessions kept, with why.
        public var kept: [(ref: String, reason: String)] = []
    }

    /// Drops the logs, presence records, name holds and cursors of gone sessions, as the policy allows.
    /// Every deletion is conditional on the ref not having moved since it was read, so a session that comes
    /// back in the middle keeps everything.
    public func collect(_ policy: RetentionPolicy, dryRun: Bool = false, now: Millis = nowMillis()) throws -> CollectionReport {
        var report = CollectionReport()
        let all = try coordination.sessions.all(now: now)
        func isGone(_ session: Session) -> Bool {
            session.state == .ended || (session.state == .stale && Double(now - session.record.seen) / 1000 > policy.staleAfter)
        }
        let gone = Set(all.filter(isGone).map(\.id))
        let readers = all.filter { !isGone($0) }
        let cursors = try readers.map { reader in (reader, try coordination.messages.cursor(of: reader)) }

        func drop(_ ref: String, expecting commit: ObjectID) throws {
            if !dryRun {
                do {
                    try store.delete(ref, expecting: commit)
                } catch let error as GitError where error.isContention {
                    report.kept.append((ref, "it changed during gc"))
                    return
                }
            }
            report.dropped.append(ref)
        }

        let known = Set(all.map(\.id))
        for head in try messages.logHeads() where gone.contains(head.writer) || !known.contains(head.writer) {
            if let newest = try messages.newestRecord(of: head), Double(now - newest.at) / 1000 < policy.retention {
                report.kept.append((head.ref, "its newest item is younger than \(formatAge(policy.retention))"))
                continue
            }
            if let blocker = try cursors.first(where: { reader, cursor in
                try reader.id != head.writer && !(messages.unread(in: head, for: reader, after: cursor?.positions[head.writer]).items.isEmpty)
            }) {
                report.kept.append((head.ref, "session \(blocker.0.name) has not read it all"))
                continue
            }
            try drop(head.ref, expecting: head.commit)
        }

        for (ref, commit) in try store.refs(under: RefLayout.names) {
            let holder: NameRecord
            do {
                holder = try store.read(NameKind.self, commit: commit, at: ref)
            } catch {
                warn("skipping \(ref): \(RecordStore.reason(error))")
                continue
            }
            if try gone.contains(holder.session) || isOrphan(holder, now: now) { try drop(ref, expecting: commit) }
        }
        // Claims that ended without a release that deleted them: released ones left by older versions (or waiting for
        // a sync), and those of gone sessions. A release that no remote has yet is sent by the next sync first.
        let remotes = try coordination.sharing.remoteNames()
        for claim in try claims.all(now: now) {
            let released = claim.record.released != nil
            let holderGone = gone.contains(claim.record.session)
                || (claim.holder == nil && Double(now - claim.record.renewed) / 1000 > policy.staleAfter)
            guard released || holderGone else { continue }
            if released {
                let mirrors = try claims.mirroredHeads(of: claim.ref, remotes: remotes)
                guard mirrors.allSatisfy({ $0 == claim.commit }) else {
                    report.kept.append((claim.ref, "its release has not reached every remote yet ('git coord sync' sends it)"))
                    continue
                }
                try drop(claim.ref, expecting: claim.commit)
            } else if dryRun {
                report.dropped.append(claim.ref)
            } else {
                switch try claims.end(claim, by: nil, remotes: remotes) {
                case .deleted: report.dropped.append(claim.ref)
                case .released: report.kept.append((claim.ref, "released; it goes once 'git coord sync' has sent the release"))
                case .notHeld: continue
                }
            }
        }
        for id in gone.sorted() {
            for ref in [RefLayout.cursor(id), RefLayout.session(id)] {
                if let commit = try store.target(of: ref) { try drop(ref, expecting: commit) }
            }
        }
        // Locks of git-coord writers that were killed (or too old to have an owner): the next writer of the same ref
        // clears one, but a ref nobody writes again (a name whose start was killed) would keep it for ever.
        let doctor = Doctor(coordination)
        for lock in doctor.staleLocks() {
            guard let path = lock.path else { continue }
            let shown = path.hasPrefix(repository.commonDir + "/") ? String(path.dropFirst(repository.commonDir.count + 1)) : path
            if dryRun || doctor.fix([lock]).first?.fixed == true { report.dropped.append(shown) }
        }
        return report
    }

    /// A name held for a session whose record never appeared: its `start` was killed between reserving the name
    /// and writing the record. Within `startGrace` the record may still be on its way.
    func isOrphan(_ holder: NameRecord, now: Millis) throws -> Bool {
        guard Double(now - (holder.at ?? 0)) / 1000 > SessionService.startGrace else { return false }
        guard SessionService.isValidName(holder.session) else { return true }
        return try store.target(of: RefLayout.session(holder.session)) == nil
    }

    private var claims: ClaimService { coordination.claims }
    private var messages: MessageService { coordination.messages }
}
