#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Pure rules that settle a forked presence or claim chain from the two head records alone, so that whichever
/// clone settles a fork, the result is the same. See docs/design.md, "Sync: integration rules".
enum ForkResolution {
    struct Side<Record> {
        let commit: ObjectID
        let payload: Data
        let record: Record
    }

    /// Presence: the record seen most recently wins (the commit id breaks a tie).
    static func newest(_ a: Side<SessionRecord>, _ b: Side<SessionRecord>) -> Side<SessionRecord> {
        (a.record.seen, a.commit.hex) >= (b.record.seen, b.commit.hex) ? a : b
    }

    /// The fields of the claim record that settling needs (docs/design.md, "Claims"); the rest of the
    /// record is carried over untouched, as bytes.
    struct ClaimFields: Decodable, Equatable {
        var pattern: String
        var session: String
        var name: String
        var claimed: Millis
        var expires: Millis
        var released: Millis?
    }

    /// Claims: which of two claims of one pattern, taken while apart, stands.
    ///
    /// - a released claim loses to one that is not;
    /// - a claim that had expired before the other was taken loses to it;
    /// - otherwise both were live at once, and the earlier one stands (claimed time, then session id), the rule
    ///   claims use for overlapping claims within a clone;
    /// - two released claims: the later one is kept, as the latest history.
    /// The commit id breaks any remaining tie, so the answer never depends on which clone asks.
    static func claimWinner(_ a: Side<ClaimFields>, _ b: Side<ClaimFields>) -> Side<ClaimFields> {
        let x = a.record, y = b.record
        switch (x.released != nil, y.released != nil) {
        case (true, false): return b
        case (false, true): return a
        case (true, true):
            return (x.claimed, x.session, a.commit.hex) >= (y.claimed, y.session, b.commit.hex) ? a : b
        case (false, false):
            if x.expires <= y.claimed { return b }
            if y.expires <= x.claimed { return a }
            return (x.claimed, x.session, a.commit.hex) <= (y.claimed, y.session, b.commit.hex) ? a : b
        }
    }

    /// Pins: their text never changes, only a removal is added, so a fork keeps the removed side (the earlier
    /// removal when both were); the commit id breaks a tie.
    static func pinKept(_ a: Side<PinRecord>, _ b: Side<PinRecord>) -> Side<PinRecord> {
        switch (a.record.removed, b.record.removed) {
        case (_?, nil): return a
        case (nil, _?): return b
        case let (x?, y?): return (x, a.commit.hex) <= (y, b.commit.hex) ? a : b
        case (nil, nil): return a.commit.hex <= b.commit.hex ? a : b
        }
    }
}
