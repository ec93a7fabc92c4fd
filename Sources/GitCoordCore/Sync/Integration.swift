#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Integration: bringing what was fetched into refs/coord/v1/, ref by ref, through libgit2 compare-and-swaps.
/// A remote can send anything, so every fetched chain is checked before any local ref moves, and a bad one is
/// rejected with a reason while every other ref goes on. See docs/design.md, "Sync: integration rules".
extension SyncEngine {
    func integrate(into report: inout SyncReport) throws {
        for (mirrorRef, remoteHead) in try store.refs(under: trackingRoot) {
            let rest = String(mirrorRef.dropFirst(trackingRoot.count))
            let localRef = RefLayout.root + rest
            let kind = RefKind(rest)
            if kind == .localOnly { continue }
            guard kind != .unknown else {
                reject(&report, localRef, "git-coord does not write refs of this name; ignored")
                continue
            }
            do {
                try integrate(localRef, kind: kind, remoteHead: remoteHead, into: &report)
            } catch let problem as Rejection {
                reject(&report, localRef, problem.reason)
            } catch let error as GitError where error.isContention {
                // A local writer moved the ref while we looked: the next sync takes it from the new value.
                continue
            } catch {
                reject(&report, localRef, Coordination.describe(error))
            }
        }
    }

    struct Rejection: Error { let reason: String }

    private func reject(_ report: inout SyncReport, _ ref: String, _ reason: String) {
        report.rejected.removeAll { $0.ref == ref }
        report.rejected.append(.init(ref: ref, reason: reason))
    }

    private func integrate(_ localRef: String, kind: RefKind, remoteHead: ObjectID, into report: inout SyncReport) throws {
        var localHead = try store.target(of: localRef)
        if localHead == remoteHead { return }
        // A local ref at no commit (a missing object, a blob) has no chain to compare: the remote's replaces it.
        let brokenHead = localHead.flatMap { store.isCommit($0) ? nil : $0 }
        if brokenHead != nil { localHead = nil }
        if let problem = store.recordProblem(remoteHead) {
            throw Rejection(reason: "record \(remoteHead.hex.prefix(12)) is malformed: \(problem)")
        }
        let relation = try localHead.map { try store.relation(of: $0, to: remoteHead) }
        if relation == .ahead { return }  // ours is newer: the push sends it

        // A released claim holds nothing: it is never taken as a new ref, and it replaces ours by deleting it.
        var releasedClaim = false
        if kind == .claim {
            let claim: ClaimRecord
            do {
                claim = try store.read(ClaimRecordKind.self, commit: remoteHead, at: localRef)
            } catch let unreadable as UnreadableRecord {
                throw Rejection(reason: unreadable.description)
            }
            releasedClaim = claim.released != nil
            if localHead == nil && releasedClaim {
                if let brokenHead { try store.delete(localRef, expecting: brokenHead) }  // nothing to keep of ours either
                return
            }
            if localHead == nil && store.clone(of: remoteHead) == clone {
                // Ours, and deleted here after a sync had sent it (released meanwhile): end it there as well.
                try endOwnClaim(localRef, claim, remoteHead: remoteHead)
                return
            }
        }

        // Every commit the remote adds must be a well-formed record, and none may claim to be this clone's.
        let added = try store.commits(from: remoteHead, notIn: localHead, limit: Self.maximumNewCommits)
        if added.count > Self.maximumNewCommits { throw Rejection(reason: "it adds more than \(Self.maximumNewCommits) records at once") }
        for commit in added {
            if let problem = store.recordProblem(commit) {
                throw Rejection(reason: "record \(commit.hex.prefix(12)) is malformed: \(problem)")
            }
            if store.clone(of: commit) == clone {
                throw Rejection(reason: "record \(commit.hex.prefix(12)) claims to come from this clone (\(clone)), which never wrote it"
                                + " (a copy of this .git? give the copy a new id: git config --unset \(CloneIdentity.configKey))")
            }
        }
        try validateHead(remoteHead, of: localRef, kind: kind)

        // Single-writer chains of this clone take nothing from elsewhere: only this clone appends to them.
        let ownedHere = localHead.map { !kind.isArbiter && store.clone(of: $0) == clone } ?? false

        switch relation {
        case nil:
            try store.compareAndSwap(localRef, to: remoteHead, expecting: brokenHead, message: "sync from \(remote)")
            report.received.append(localRef)
            store.recordsWritten?(added.count)
        case .behind?:
            if ownedHere { throw Rejection(reason: "another clone appended to this clone's own chain; not taken") }
            if releasedClaim {
                try noteClaimTakenFromHere(localRef, from: localHead!, to: remoteHead, into: &report)
                try store.delete(localRef, expecting: localHead!)
                report.received.append(localRef)
                return
            }
            try store.compareAndSwap(localRef, to: remoteHead, expecting: localHead, message: "sync from \(remote)")
            report.received.append(localRef)
            store.recordsWritten?(added.count)
            if kind == .claim { try noteClaimTakenFromHere(localRef, from: localHead!, to: remoteHead, into: &report) }
        case .forked?:
            try settleFork(localRef, kind: kind, local: localHead!, remote: remoteHead, ownedHere: ownedHere, into: &report)
        case .same?, .ahead?:
            return
        }
    }

    /// A claim of this clone's that the remote holds and this clone deleted (it was released, or withdrawn, while a
    /// sync was sending it): a released record on top of the remote's, which the push carries there.
    private func endOwnClaim(_ ref: String, _ claim: ClaimRecord, remoteHead: ObjectID) throws {
        var ended = claim
        ended.released = nowMillis()
        let commit = try store.write(ClaimRecordKind.self, ended, parent: remoteHead, message: "release \(claim.pattern)")
        try store.compareAndSwap(ref, to: commit, expecting: nil, message: "release \(claim.pattern)")
    }

    /// After the remote accepted a claim whose record is released, the local ref has done its work: deleted
    /// (compare-and-swap on what was pushed), so that claims that ended cost nothing here.
    func forgetIfReleasedClaim(_ item: GitTransport.PushItem) {
        guard RefKind(String(item.ref.dropFirst(RefLayout.root.count))) == .claim,
              let claim = try? store.read(ClaimRecordKind.self, commit: item.new, at: item.ref), claim.released != nil else { return }
        try? store.delete(item.ref, expecting: item.new)
    }

    /// Kind-specific checks of the record a ref would point at: it must read as its kind's record at that ref.
    private func validateHead(_ head: ObjectID, of ref: String, kind: RefKind) throws {
        let rest = String(ref.dropFirst(RefLayout.root.count))
        do {
            switch RecordKinds.kind(of: rest) {
            case is SessionKind.Type:
                let record = try store.read(SessionKind.self, commit: head, at: ref)
                guard let recordClone = record.clone else { throw Rejection(reason: "its session names no clone") }
                if recordClone == clone { throw Rejection(reason: "its session claims to run in this clone (\(clone)), and does not") }
            case is ClaimRecordKind.Type: _ = try store.read(ClaimRecordKind.self, commit: head, at: ref)
            case is LogKind.Type: _ = try store.read(LogKind.self, commit: head, at: ref)
            case is PinKind.Type: _ = try store.read(PinKind.self, commit: head, at: ref)
            case is CursorKind.Type: _ = try store.read(CursorKind.self, commit: head, at: ref)
            default: throw Rejection(reason: "git-coord does not take refs of this kind from other clones")
            }
        } catch let unreadable as UnreadableRecord {
            throw Rejection(reason: unreadable.description)
        }
    }

    // MARK: Forks

    private func settleFork(_ ref: String, kind: RefKind, local: ObjectID, remote remoteHead: ObjectID, ownedHere: Bool,
                            into report: inout SyncReport) throws {
        let (localOnly, remoteOnly) = try store.aheadBehind(local, remoteHead)
        var fork = SyncReport.Fork(ref: ref, localOnly: localOnly, remoteOnly: remoteOnly, remoteHead: remoteHead.hex,
                                   resolution: "reported", ownedHere: ownedHere)
        defer { report.forks.append(fork) }
        // A log, or any chain of this clone's own, is never merged or dropped: a person decides.
        guard !ownedHere else { return }
        switch kind {
        case .presence:
            let decoder = JSONDecoder()
            let a = try side(local, decoder, SessionRecord.self)
            let b = try side(remoteHead, decoder, SessionRecord.self)
            let kept = ForkResolution.newest(a, b)
            try mergeFork(ref, local: local, remote: remoteHead, payload: kept.payload, message: "keep newest presence of \(kept.record.name)")
            fork.resolution = "kept-newest"
        case .claim:
            let decoder = JSONDecoder()
            let a = try side(local, decoder, ForkResolution.ClaimFields.self)
            let b = try side(remoteHead, decoder, ForkResolution.ClaimFields.self)
            let winner = ForkResolution.claimWinner(a, b)
            let loser = winner.commit == a.commit ? b : a
            try mergeFork(ref, local: local, remote: remoteHead, payload: winner.payload,
                          message: "settle claim \(winner.record.pattern): \(winner.record.name) holds it")
            fork.resolution = "settled"
            if winner.record.session != loser.record.session && loser.record.released == nil {
                report.claimsSettled.append(settlement(winner: winner, loser: loser))
            }
        case .pin:
            let a = try side(local, JSONDecoder(), PinRecord.self)
            let b = try side(remoteHead, JSONDecoder(), PinRecord.self)
            let kept = ForkResolution.pinKept(a, b)
            try mergeFork(ref, local: local, remote: remoteHead, payload: kept.payload, message: "settle pin \(kept.record.id)")
            fork.resolution = "settled"
        default:
            return
        }
    }

    private func side<Record: Decodable>(_ commit: ObjectID, _ decoder: JSONDecoder, _ type: Record.Type) throws -> ForkResolution.Side<Record> {
        let payload = try store.payload(of: commit)
        guard let record = try? decoder.decode(Record.self, from: payload) else {
            throw Rejection(reason: "record \(commit.hex.prefix(12)) cannot be read to settle a fork")
        }
        return .init(commit: commit, payload: payload, record: record)
    }

    /// A merge commit with both heads as parents and the chosen record as payload: it contains both chains, so
    /// this clone's push of it is a fast-forward on the remote, and every other clone fast-forwards to it.
    private func mergeFork(_ ref: String, local: ObjectID, remote remoteHead: ObjectID, payload: Data, message: String) throws {
        let merge = try store.writeRecord(payload, parents: [local, remoteHead], message: message)
        try store.compareAndSwap(ref, to: merge, expecting: local, message: message)
    }

    // MARK: Claims: telling the loser

    private func settlement(winner: ForkResolution.Side<ForkResolution.ClaimFields>,
                            loser: ForkResolution.Side<ForkResolution.ClaimFields>) -> SyncReport.ClaimSettlement {
        let loserClone = cloneOfSession(loser.record.session) ?? store.clone(of: loser.commit)
        return .init(pattern: winner.record.pattern,
                     holder: .init(session: winner.record.session, name: winner.record.name,
                                   clone: cloneOfSession(winner.record.session) ?? store.clone(of: winner.commit)),
                     loser: .init(session: loser.record.session, name: loser.record.name, clone: loserClone),
                     lostHere: loserClone == clone)
    }

    /// Another clone settled a fork (or took over) on a claim that a session of this clone held: say so, since the
    /// session would otherwise go on believing it holds the pattern.
    private func noteClaimTakenFromHere(_ ref: String, from old: ObjectID, to new: ObjectID, into report: inout SyncReport) throws {
        let decoder = JSONDecoder()
        guard let before = try? side(old, decoder, ForkResolution.ClaimFields.self),
              let after = try? side(new, decoder, ForkResolution.ClaimFields.self),
              before.record.released == nil, before.record.session != after.record.session,
              (cloneOfSession(before.record.session) ?? store.clone(of: old)) == clone else { return }
        report.claimsSettled.append(settlement(winner: after, loser: before))
    }

    /// The clone a session runs in, from its presence record.
    func cloneOfSession(_ id: String) -> String? {
        guard SessionService.isValidName(id) else { return nil }
        return (try? store.read(SessionKind.self, at: RefLayout.session(id)))??.payload.clone
    }
}
