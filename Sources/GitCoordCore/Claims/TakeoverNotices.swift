/// Telling a holder that its claim was taken (by --force, or after it lapsed): a direct message from the taker, in
/// the taker's own log.
///
/// The claim record says it too (`takenFrom`), but a claim that ends leaves no ref: a taker that released the claim
/// before the holder's next turn would have taken the only trace with it. The message is read by the holder's inbox like any
/// other (exactly once, by the unread cursor's compare-and-swap), and sync carries it to other clones. See
/// docs/design.md, "Claims", Rules.
extension ClaimService {
    /// Whether the taker of a claim in this state tells its holder by message (and marks the record `told`): an
    /// expired claim, or one whose holder went stale or ended. Not a claim its holder released (it let it go), nor
    /// one whose holder has no session record (nobody could read it); a forced takeover is told otherwise.
    static func isToldOfLapse(_ victim: Takeover.Victim) -> Bool {
        switch victim.state {
        case .expired, .holderStale, .holderEnded: return true
        case .live, .released, .holderUnknown: return false
        }
    }

    /// One direct message per holder that lost a claim to this one, after the swaps landed and the overlaps settled
    /// (a withdrawn claim took nothing): a live claim taken with --force (`blocking`, empty unless forced), and a
    /// lapsed one (`isToldOfLapse`). Delivered at the holder's next turn like any message, and written even to a
    /// holder that is stale or ended: it reads it when it comes back (`claude --resume`). A failure to send is a
    /// warning: the claim is taken already, and the record keeps the takeover (`git coord claims --taken`).
    func tellHolders(_ outcomes: [(ClaimPattern, ClaimOutcome)], forcedFrom blocking: [ClaimConflicts.Conflict],
                     taker: Session, reason: String?) {
        var holders: [String] = []
        var losses: [String: Loss] = [:]
        func lose(_ holder: String, _ name: String, _ change: (inout Loss) -> Void) {
            if losses[holder] == nil { holders.append(holder) }
            change(&losses[holder, default: Loss(name: name)])
        }
        for conflict in blocking where conflict.held.record.session != taker.id && conflict.held.isLive {
            let pattern = conflict.held.pattern.text
            lose(conflict.held.record.session, conflict.held.record.name) { if !$0.forced.contains(pattern) { $0.forced.append(pattern) } }
        }
        for case let (_, .takenOver(victim)) in outcomes where victim.told == true && victim.session != taker.id {
            lose(victim.session, victim.name) { $0.lapsed.append(victim) }
        }
        let claiming = outcomes.map { $0.0.text }
        for holder in holders.sorted() {
            guard let loss = losses[holder] else { continue }
            do {
                _ = try coordination.messages.append(.message, text: Self.takeoverText(loss, claiming: claiming, reason: reason),
                                                     to: holder, from: taker)
            } catch {
                warn("could not tell \(loss.name) that its claim was taken: \(Coordination.describe(error))")
            }
        }
    }

    /// What one holder lost to one claim command.
    struct Loss {
        var name: String
        var lapsed: [Takeover.Victim] = []
        /// Patterns of live claims taken with --force.
        var forced: [String] = []
    }

    /// "I took over your claim on src/a.js (it had expired), src/b.js with --force (claiming src/**): reason. ..."
    static func takeoverText(_ loss: Loss, claiming: [String], reason: String?) -> String {
        var claims = loss.lapsed.map { victim in
            switch victim.state {
            case .expired: return "\(victim.pattern) (it had expired)"
            case .holderStale: return "\(victim.pattern) (your session had gone stale: silent longer than coord.sessionTTL)"
            case .holderEnded: return "\(victim.pattern) (your session had ended)"
            default: return victim.pattern
            }
        }
        if !loss.forced.isEmpty {
            claims.append(loss.forced.joined(separator: ", ") + " with --force"
                          + (claiming != loss.forced ? " (claiming \(claiming.joined(separator: ", ")))" : ""))
        }
        var text = "I took over your claim on \(claims.joined(separator: ", "))"
        if let reason, !reason.isEmpty { text += ": \(reason)" }
        return text + ". Please leave those files to me, or message me to sort it out."
    }
}
