#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What reaches an agent's model unasked at a turn boundary: unread notes and direct messages, takeovers of the
/// session's claims, and arrivals and departures, each exactly once. See docs/design.md, "Delivery into the model".
public struct TurnDelivery: CoordinationService {
    public let coordination: Coordination

    /// Marks as seen, and returns, the oldest unread inbox items of `reader` that `fit` accepts: `fit` gets all
    /// unread items, oldest first, and answers how many of them (from the first) go into the model's context now.
    /// The rest stay unread, for the next prompt or tool call.
    ///
    /// The choice and the cursor move are one compare-and-swap of the reader's cursor (the one `git coord inbox`
    /// moves), so two deliveries at once, or a delivery and an inbox read, never return one item twice.
    public func inbox(to reader: Session, fit: ([InboxItem]) -> Int) throws -> (delivered: [InboxItem], waiting: Int) {
        var delivered: [InboxItem] = []
        var waiting = 0
        try messages.updateCursor(of: reader) { cursor in
            let (items, heads) = try messages.unread(for: reader, cursor: cursor)
            let count = min(items.count, max(0, fit(items)))
            delivered = Array(items.prefix(count))
            waiting = items.count - count
            var positions = heads
            if count < items.count {
                // Writers with items left over: seen up to the last item delivered from them, not to their head.
                // (An empty commit never equals a head, so the next read walks back to the sequence.)
                for writer in Set(items[count...].map(\.from)) {
                    if let last = delivered.last(where: { $0.from == writer }) {
                        positions[writer] = CursorRecord.Position(commit: "", seq: last.seq)
                    } else if let old = cursor?.positions[writer] {
                        positions[writer] = old
                    } else {
                        positions[writer] = nil
                    }
                }
            }
            return CursorRecord(session: reader.id, positions: positions)
        }
        return (delivered, waiting)
    }

    /// Takeovers of `reader`'s claims not delivered before, oldest first, marked delivered in the same
    /// compare-and-swap of `refs/coord/v1/delivered/<session-id>` (written only for that session).
    ///
    /// Finding takeovers means reading every claim record, so it is skipped when no claim ref moved since the
    /// last look: the mark keeps a fingerprint of the claim refs' names and targets (a listing, no object read).
    public func takeovers(to reader: Session) throws -> [Takeover] {
        var fresh: [Takeover] = []
        try store.update(DeliveryMarkKind.self, at: RefLayout.delivered(reader.id), message: "delivered to \(reader.name)",
                         ifUnreadable: note) { current in
            let mark = current?.payload
            let fingerprint = try claimsFingerprint()
            fresh = []
            if let mark, mark.claimsFingerprint == fingerprint { return nil }
            let since = mark?.takeoversUntil ?? reader.record.started
            // Takeovers reach the holder as direct messages from their takers (TakeoverNotices.swift); only those
            // of lapsed claims recorded by versions that sent none are delivered from the claim records.
            fresh = try coordination.claims.takeovers(of: reader.id, since: since + 1)
                .filter { !$0.forced && $0.victim.told != true }.reversed()
            let newest = fresh.map(\.victim.at).max() ?? since
            return DeliveryMark(session: reader.id, takeoversUntil: newest, claimsFingerprint: fingerprint)
        }
        return fresh
    }

    /// A 64-bit FNV-1a digest of every claim ref's name and target: equal digests, no claim changed.
    func claimsFingerprint() throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (name, target) in try store.refs(under: RefLayout.claims) {
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            withUnsafeBytes(of: target.raw.id) { bytes in
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            }
        }
        return String(hash, radix: 16)
    }

    var messages: MessageService { coordination.messages }
}
