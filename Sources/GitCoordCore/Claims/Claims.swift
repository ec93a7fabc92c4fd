#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Advisory claims: the entity layer over `RecordStore` for `refs/coord/v1/claims/*`. See docs/design.md, "Claims".
public struct ClaimService: CoordinationService {
    public let coordination: Coordination

    public static let maximumReasonLength = 300
    /// How long a claim lasts unless --ttl or coord.claimTTL says otherwise.
    public static let defaultClaimTTL: Double = 60 * 60
    public static let claimTTLKey = "coord.claimTTL"

    /// coord.claimTTL, or one hour.
    public func defaultTTL() throws -> Double {
        try repository.durationSetting(Self.claimTTLKey, example: "1h", positive: true) ?? Self.defaultClaimTTL
    }

    /// Every readable claim, live or void, in ref order.
    public func all(now: Millis = nowMillis()) throws -> [Claim] {
        try ClaimBook().claims(in: coordination, sessions: sessionsByID(now: now), now: now)
    }

    func sessionsByID(now: Millis) throws -> [String: Session] {
        Dictionary(try coordination.sessions.all(now: now).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Claiming

    /// What happened to each pattern of a successful claim.
    public enum ClaimOutcome: Sendable {
        case created
        case extended
        /// Taken from a void claim (released, expired, or its holder gone), or by force from a live one.
        case takenOver(Takeover.Victim)
    }

    /// Claims `patterns` for `session`, all or nothing.
    ///
    /// Fails with `ClaimConflicts` (claiming nothing) when a live claim of another session overlaps one of them,
    /// unless `force`: then a live claim of the same pattern is taken over (and recorded as such), and overlapping
    /// claims of other patterns are left in place and recorded in the new record.
    public func claim(_ patterns: [ClaimPattern], for session: Session, ttl: Double, reason: String?,
                      force: Bool) throws -> [(ClaimPattern, ClaimOutcome)] {
        // Claiming is a sign of life: refresh the session first (a stale one becomes live again; an ended one
        // cannot claim), so its claims are not void from the start.
        let session = try coordination.sessions.update(session)
        if let reason, reason.count > Self.maximumReasonLength {
            throw CoordError.textTooLong(what: "the reason", limit: Self.maximumReasonLength)
        }
        guard ttl > 0, ttl.isFinite else { throw CoordError.invalidDuration("\(ttl)") }
        let unique = patterns.reduce(into: [ClaimPattern]()) { list, p in if !list.contains(p) { list.append(p) } }
        let book = ClaimBook()
        var sessions = try sessionsByID(now: nowMillis())

        // 1. Refuse before writing anything when a live claim of another session is in the way.
        let before = try claimsWithKnownHolders(book, overlapping: unique, &sessions)
        let blocking = Self.conflicts(for: unique, among: before, excluding: session.id)
        if !blocking.isEmpty && !force { throw ClaimConflicts(conflicts: blocking) }

        // 2. Swap each claim ref: create-only, or from the record we read (a takeover or an extension).
        var written: [(pattern: ClaimPattern, outcome: ClaimOutcome, commit: ObjectID)] = []
        do {
            for pattern in unique {
                let overrode = blocking.filter { $0.wanted == pattern && $0.held.pattern.text != pattern.text }
                    .map { Self.victim(of: $0.held, now: nowMillis()) }
                let (outcome, commit) = try write(pattern, for: session, ttl: ttl, reason: reason, force: force,
                                                  overrode: overrode, sessions: &sessions)
                written.append((pattern, outcome, commit))
            }
        } catch {
            rollBack(written)
            throw error
        }

        // 3. Overlapping claims of different patterns race on different refs: look again now that ours are
        //    visible. The earlier claim stands (design.md, "Overlap races").
        if !force {
            do {
                try settleOverlaps(written.map { ($0.pattern, $0.commit) }, for: session, book: book, sessions: sessions)
            } catch {
                rollBack(written)
                throw error
            }
        }
        tellHolders(written.map { ($0.pattern, $0.outcome) }, forcedFrom: blocking, taker: session, reason: reason)
        return written.map { ($0.pattern, $0.outcome) }
    }

    /// One compare-and-swap of one claim ref, retried by `RecordStore.update` until it lands or is refused.
    private func write(_ pattern: ClaimPattern, for session: Session, ttl: Double, reason: String?, force: Bool,
                       overrode: [Takeover.Victim], sessions: inout [String: Session]) throws -> (ClaimOutcome, ObjectID) {
        var outcome = ClaimOutcome.created
        var heldBy: Claim?
        let ref = pattern.refName
        // An unreadable record holds nothing: it is replaced.
        let result = try store.update(ClaimRecordKind.self, at: ref, message: "claim \(pattern.text) for \(session.name)",
                                      ifUnreadable: note) { current in
            let now = nowMillis()
            var record = ClaimRecord(pattern: pattern.text, kind: pattern.kind, session: session.id, name: session.name,
                                     reason: reason, claimed: now, renewed: now, expires: now + Millis(ttl * 1000),
                                     released: nil, takenFrom: nil, overrode: overrode.isEmpty ? nil : overrode)
            outcome = .created
            guard let current else { return record }
            let old = current.payload
            let holder = sessions[old.session] ?? (try? coordination.sessions.find(id: old.session)) ?? nil
            if let holder { sessions[holder.id] = holder }
            let existing = Claim(ref: ref, commit: current.commit, record: old, holder: holder, now: now)
            if old.session == session.id {
                if existing.isLive {
                    record.claimed = old.claimed
                    record.reason = reason ?? old.reason
                    record.takenFrom = old.takenFrom
                    outcome = .extended
                }
                return record
            }
            if existing.isLive && !force {
                heldBy = existing
                return nil
            }
            var victim = Self.victim(of: existing, now: now)
            if Self.isToldOfLapse(victim) { victim.told = true }
            record.takenFrom = victim
            outcome = .takenOver(victim)
            return record
        }
        switch result {
        case .written(let commit): return (outcome, commit)
        case .unchanged:
            throw ClaimConflicts(conflicts: [.init(wanted: pattern, held: heldBy!)])
        }
    }

    /// The claims that may overlap `patterns`, with the sessions re-read when a claim names a session not read
    /// yet: a session that started after `sessions` was read must not pass for unknown (and its claim for void) in
    /// a race.
    private func claimsWithKnownHolders(_ book: ClaimBook, overlapping patterns: [ClaimPattern],
                                        _ sessions: inout [String: Session]) throws -> [Claim] {
        var claims = try book.claims(thatMayOverlap: patterns, in: coordination, sessions: sessions, now: nowMillis())
        if claims.contains(where: { $0.holder == nil && $0.record.released == nil }) {
            sessions = try sessionsByID(now: nowMillis())
            claims = try book.claims(thatMayOverlap: patterns, in: coordination, sessions: sessions, now: nowMillis())
        }
        return claims
    }

    static func victim(of claim: Claim, now: Millis) -> Takeover.Victim {
        Takeover.Victim(session: claim.record.session, name: claim.holder?.name ?? claim.record.name,
                        pattern: claim.record.pattern, state: claim.state, at: now)
    }

    /// After our claims landed: any overlapping live claim of another session that came first makes us withdraw.
    /// One that came later withdraws itself when it sees ours; if it is still there after a short wait, its writer
    /// never saw ours (it looked before we wrote), so it stands and we withdraw. Never do both claims stand.
    private func settleOverlaps(_ ours: [(ClaimPattern, ObjectID)], for session: Session, book: ClaimBook,
                                sessions: [String: Session]) throws {
        var sessions = sessions
        let deadline = Date().addingTimeInterval(Self.overlapSettleTime)
        while true {
            let all = try claimsWithKnownHolders(book, overlapping: ours.map(\.0), &sessions)
            let mine = all.filter { claim in ours.contains { $0.1 == claim.commit } }
            let others = all.filter { $0.isLive && $0.record.session != session.id }
            var pending: [ClaimConflicts.Conflict] = []
            for claim in mine {
                let matcher = ClaimMatcher(claim.pattern)
                for other in others where other.ref != claim.ref && matcher.overlaps(ClaimMatcher(other.pattern)) {
                    if other.isBefore(claim) { throw ClaimConflicts(conflicts: [.init(wanted: claim.pattern, held: other)]) }
                    pending.append(.init(wanted: claim.pattern, held: other))
                }
            }
            if pending.isEmpty { return }
            if Date() > deadline { throw ClaimConflicts(conflicts: pending) }
            usleep(UInt32.random(in: 10_000...30_000))
        }
    }

    /// How long a claim that came first waits for a later, overlapping one to withdraw.
    static let overlapSettleTime: Double = 0.5

    /// Undoes the claims written by a command that then failed: a created ref is deleted (compare-and-swap on
    /// our commit); a taken-over one gets a release record on top, so its chain still only moves forward.
    private func rollBack(_ written: [(pattern: ClaimPattern, outcome: ClaimOutcome, commit: ObjectID)]) {
        for entry in written {
            switch entry.outcome {
            case .extended:
                continue
            case .created:
                try? store.delete(entry.pattern.refName, expecting: entry.commit)
            case .takenOver:
                _ = try? store.update(ClaimRecordKind.self, at: entry.pattern.refName, message: "withdraw \(entry.pattern.text)") { current in
                    guard let current, current.commit == entry.commit else { return nil }
                    var record = current.payload
                    record.released = nowMillis()
                    return record
                }
            }
        }
    }

    /// Live claims of sessions other than `excluding` that overlap any of `patterns`.
    static func conflicts(for patterns: [ClaimPattern], among claims: [Claim], excluding: String) -> [ClaimConflicts.Conflict] {
        let others = claims.filter { $0.isLive && $0.record.session != excluding }
        guard !others.isEmpty else { return [] }
        let matchers = others.map { ($0, ClaimMatcher($0.pattern)) }
        var found: [ClaimConflicts.Conflict] = []
        for pattern in patterns {
            let wanted = ClaimMatcher(pattern)
            for (claim, matcher) in matchers where claim.pattern.text == pattern.text || wanted.overlaps(matcher) {
                found.append(.init(wanted: pattern, held: claim))
            }
        }
        return found
    }

    // MARK: Releasing

    /// Releases the session's live claims on `patterns` (all of them when nil). Returns the patterns released
    /// and those the session did not hold.
    public func release(_ patterns: [ClaimPattern]?, for session: Session) throws -> (released: [ClaimPattern], notHeld: [ClaimPattern]) {
        func isMine(_ claim: Claim) -> Bool {
            claim.record.session == session.id && claim.record.released == nil && claim.state != .expired
        }
        var released: [ClaimPattern] = []
        var notHeld: [ClaimPattern] = []
        var targets: [Claim] = []
        if let patterns {
            // By text, not kind: a file claimed when it existed is released the same after it is deleted. Found by
            // ref name: a release costs the same however many claims there are.
            let book = ClaimBook()
            let holder = [session.id: session]
            for pattern in patterns {
                let held = try [ClaimKind.file, .pattern].compactMap { kind in
                    try book.claim(on: ClaimPattern(text: pattern.text, kind: kind), in: coordination, sessions: holder, now: nowMillis())
                }.filter(isMine)
                if held.isEmpty { notHeld.append(pattern) }
                targets += held
            }
        } else {
            targets = try all().filter(isMine)
        }
        let remotes = try coordination.sharing.remoteNames()
        for claim in targets {
            if try end(claim, by: session, remotes: remotes) != .notHeld { released.append(claim.pattern) } else { notHeld.append(claim.pattern) }
        }
        return (released, notHeld)
    }

    /// Ends a claim (a release, or gc ending the claim of a gone session), leaving no ref behind when nothing needs
    /// it: a claim no remote has a copy of is deleted, by compare-and-swap from the record read; one a remote has
    /// gets a released record, which sync carries there and then deletes (docs/design.md, "Claims", Rules).
    /// `.notHeld` when the claim was no longer held as read (released or taken meanwhile).
    enum Ending { case deleted, released, notHeld }

    func end(_ claim: Claim, by session: Session?, remotes: [String]) throws -> Ending {
        if try mirroredHeads(of: claim.ref, remotes: remotes).isEmpty {
            do {
                try store.delete(claim.ref, expecting: claim.commit)
                return .deleted
            } catch let error as GitError where error.isContention {
                // It moved since we read it: decide again from what it holds now.
            }
        }
        let holder = claim.record.session
        let outcome = try store.update(ClaimRecordKind.self, at: claim.ref,
                                       message: "release \(claim.record.pattern)" + (session.map { " by \($0.name)" } ?? ""),
                                       ifUnreadable: note) { current in
            guard var record = current?.payload, record.session == holder, record.released == nil else { return nil }
            record.released = nowMillis()
            return record
        }
        if case .written = outcome { return .released }
        return .notHeld
    }

    /// The heads that the fetched copies of other clones' refs (refs/coord-remotes/<remote>/v1/...) hold for `ref`,
    /// `remotes` being the configured remotes (`SharingService.remoteNames()`).
    func mirroredHeads(of ref: String, remotes: [String]) throws -> [ObjectID] {
        let rest = ref.dropFirst(RefLayout.root.count)
        return try remotes.compactMap { try store.target(of: RefLayout.remoteRoot($0) + rest) }
    }

    // MARK: Takeovers

    /// The claims of `sessionID` that another session has taken (by --force while live, or after they lapsed),
    /// newest first, as far as the current records tell. The hook for telling the holder by direct message.
    public func takeovers(of sessionID: String, since: Millis = 0) throws -> [Takeover] {
        var found: [Takeover] = []
        for claim in try all() where claim.record.session != sessionID {
            let victims = [claim.record.takenFrom].compactMap { $0 } + (claim.record.overrode ?? [])
            for victim in victims where victim.session == sessionID && victim.at >= since {
                found.append(Takeover(victim: victim, claim: claim))
            }
        }
        return found.sorted { $0.victim.at > $1.victim.at }
    }
}

/// A claim refused because other sessions' live claims overlap it. Nothing was claimed.
public struct ClaimConflicts: Error, Sendable {
    public struct Conflict: Sendable {
        public let wanted: ClaimPattern
        public let held: Claim
    }
    public let conflicts: [Conflict]
}

extension ClaimService {
    /// Whether a claim pattern matches any file in the index (used to warn about a pattern that matches nothing).
    public func patternMatchesAnything(_ pattern: ClaimPattern) throws -> Bool {
        try repository.indexHasMatch(for: pattern.text)
    }
}
