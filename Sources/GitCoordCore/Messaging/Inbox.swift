#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An item of a session's inbox: a note from another session, or a direct message to this one.
public typealias InboxItem = LogRecord

/// Unread inboxes: what a reader has not seen yet, decided against its cursor at a cost that depends on the
/// number of logs and on what is new, never on how long the logs are.
extension Coordination {
    /// What `reader` has not seen yet, oldest first in the total order (`LogRecord.precedes`).
    ///
    /// With `consume`, the items are marked seen by a compare-and-swap of the reader's cursor, and returned
    /// only if that swap is the one that landed: of two inbox reads of one session at the same time, each
    /// item is returned by exactly one. Without it (a peek) nothing is written.
    public func inbox(for reader: Session, consume: Bool = true) throws -> [InboxItem] {
        let ref = RefLayout.cursor(reader.id)
        guard consume else {
            let cursor = try store.headRecord(of: ref).flatMap { readCursor($0.payload, reader: reader) }
            return try unread(for: reader, cursor: cursor).items
        }
        var shown: [InboxItem] = []
        try store.update(ref, message: "read by \(reader.name)") { current in
            let cursor = current.flatMap { readCursor($0.payload, reader: reader) }
            let (items, positions) = try unread(for: reader, cursor: cursor)
            shown = items
            let next = CursorRecord(session: reader.id, positions: positions)
            if let cursor, cursor.positions == next.positions { return nil }
            return try Self.encoder.encode(next)
        }
        return shown
    }

    /// Decodes a cursor; a malformed one counts as absent (the reader sees again what came since it started).
    private func readCursor(_ payload: Data, reader: Session) -> CursorRecord? {
        guard let cursor = try? JSONDecoder().decode(CursorRecord.self, from: payload), cursor.session == reader.id else {
            warn("ignoring the unreadable cursor of \(reader.name)")
            return nil
        }
        return cursor
    }

    /// The unread items of every log but the reader's own, and the cursor positions that mark them seen.
    func unread(for reader: Session, cursor: CursorRecord?) throws
        -> (items: [InboxItem], positions: [String: CursorRecord.Position]) {
        var items: [InboxItem] = []
        var positions: [String: CursorRecord.Position] = [:]
        for head in try logHeads() where head.writer != reader.id {
            let (found, position) = try unread(in: head, for: reader, after: cursor?.positions[head.writer])
            items += found
            positions[head.writer] = position
        }
        return (items.sorted(by: LogRecord.precedes), positions)
    }

    /// The items of one log that `reader` has not seen, newest first, and the position of the log's head.
    ///
    /// A head equal to the position's commit means nothing is new: no record is read. Otherwise the log is
    /// walked back to the position's sequence (or, with no position yet, to the reader's start: what was
    /// written before a session existed is history for `feed`, not news).
    func unread(in head: LogHead, for reader: Session, after position: CursorRecord.Position?) throws
        -> (items: [InboxItem], position: CursorRecord.Position) {
        if let position, position.commit == head.commit.hex { return ([], position) }
        var items: [InboxItem] = []
        var headSeq: Int64?
        try walkLog(head) { _, record in
            if headSeq == nil { headSeq = record.seq }
            if let position, record.seq <= position.seq { return false }
            if position == nil && record.at < reader.record.started { return false }
            if record.kind == .note || record.to == reader.id { items.append(record) }
            return true
        }
        return (items, CursorRecord.Position(commit: head.commit.hex, seq: max(headSeq ?? 0, position?.seq ?? 0)))
    }
}
