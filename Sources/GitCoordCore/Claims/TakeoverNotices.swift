/// Telling a holder that its lapsed claim was taken: a direct message from the taker, in the taker's own log.
///
/// The claim record says it too (`takenFrom`), but a claim that ends leaves no ref: a taker that released the claim
/// before the holder's next turn took the only trace with it. The message is read by the holder's inbox like any
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

    /// One message per holder, after the swaps landed and the overlaps settled (a withdrawn claim took nothing).
    /// Written even to a holder that is stale or ended: it reads it when it comes back (`claude --resume`). A
    /// failure to send is a warning: the claim is taken already, and the record keeps the takeover.
    func tellLapsedHolders(_ outcomes: [(ClaimPattern, ClaimOutcome)], taker: Session, reason: String?) {
        var holders: [String] = []
        var lost: [String: (name: String, patterns: [Takeover.Victim])] = [:]
        for case let (_, .takenOver(victim)) in outcomes where victim.told == true && victim.session != taker.id {
            if lost[victim.session] == nil { holders.append(victim.session) }
            lost[victim.session, default: (victim.name, [])].patterns.append(victim)
        }
        for holder in holders {
            guard let loss = lost[holder] else { continue }
            do {
                _ = try coordination.messages.append(.message, text: Self.lapsedTakeoverText(loss.patterns, reason: reason),
                                                     to: holder, from: taker)
            } catch {
                warn("could not tell \(loss.name) that its claim was taken: \(Coordination.describe(error))")
            }
        }
    }

    /// "I took over your claim on src/a.js (it had expired), src/b.js (your session had ended): reason. ..."
    static func lapsedTakeoverText(_ victims: [Takeover.Victim], reason: String?) -> String {
        let claims = victims.map { victim in
            switch victim.state {
            case .expired: return "\(victim.pattern) (it had expired)"
            case .holderStale: return "\(victim.pattern) (your session had gone stale: silent longer than coord.sessionTTL)"
            case .holderEnded: return "\(victim.pattern) (your session had ended)"
            default: return victim.pattern
            }
        }
        var text = "I took over your claim on \(claims.joined(separator: ", "))"
        if let reason, !reason.isEmpty { text += ": \(reason)" }
        return text + ". Please leave those files to me, or message me to sort it out."
    }
}
