#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An item of a session's inbox: a note from another session, or a direct message to this one.
public typealias InboxItem = LogRecord

/// Unread inboxes: what a reader has not seen yet, decided against its cursor at a cost that depends on the
/// number of logs and on what is new, never on how long the logs are.
extension MessageService {
    /// What `reader` has not seen yet, oldest first in the total order (`LogRecord.precedes`).
    ///
    /// With `consume`, the items are marked seen by a compare-and-swap of the reader's cursor, and returned
    /// only if that swap is the one that landed: of two inbox reads of one session at the same time, each
    /// item is returned by exactly one. Without it (a peek) nothing is written.
    public func inbox(for reader: Session, consume: Bool = true) throws -> [InboxItem] {
        guard consume else { return try unread(for: reader, cursor: try cursor(of: reader)).items }
        var shown: [InboxItem] = []
        try updateCursor(of: reader) { cursor in
            let (items, positions) = try unread(for: reader, cursor: cursor)
            shown = items
            return CursorRecord(session: reader.id, positions: positions)
        }
        return shown
    }

    /// The reader's cursor; an unreadable one counts as absent, with a warning (the reader sees again what came
    /// since it started, rather than nothing ever again).
    func cursor(of reader: Session) throws -> CursorRecord? {
        do {
            return try store.read(CursorKind.self, at: RefLayout.cursor(reader.id))?.payload
        } catch let unreadable as UnreadableRecord {
            note(unreadable)
            return nil
        }
    }

    /// Moves the reader's cursor by one compare-and-swap: `next` gets the current cursor (nil: none, or unreadable)
    /// and returns the new one; the same positions, or a first cursor with nothing in it, write nothing.
    func updateCursor(of reader: Session, _ next: (CursorRecord?) throws -> CursorRecord) throws {
        try store.update(CursorKind.self, at: RefLayout.cursor(reader.id), message: "read by \(reader.name)", ifUnreadable: note) { current in
            let cursor = current?.payload
            let moved = try next(cursor)
            if let cursor, cursor.positions == moved.positions { return nil }
            if cursor == nil && moved.positions.isEmpty { return nil }
            return moved
        }
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

    /// Whether an item was written before `reader` started: history for `feed`, not news. Wall clocks may be wrong
    /// or differ between machines, so they alone never decide it. A direct message to the reader cannot predate it
    /// (it names the reader); a note with a Lamport clock above the reader's start clock came after it, whatever its
    /// writer's wall clock said. Only a note old by both counts (by the wall clock alone for readers whose records
    /// predate start clocks).
    static func predates(_ record: LogRecord, _ reader: Session) -> Bool {
        if record.kind == .message && record.to == reader.id { return false }
        if let startClock = reader.record.startClock, record.clock > startClock { return false }
        return record.at < reader.record.started
    }

    /// The items of one log that `reader` has not seen, newest first, and the position of the log's head.
    ///
    /// A head equal to the position's commit means nothing is new: no record is read. Otherwise the log is
    /// walked back to the position's sequence (or, with no position yet, to the reader's start: what was
    /// written before a session existed is history for `feed`, not news).
    func unread(in head: LogHead, for reader: Session, after position: CursorRecord.Position?) throws
        -> (items: [InboxItem], position: CursorRecord.Position) {
        if let position, position.commit == head.commit.hex { return ([], position) }
        // The head is read once, whichever way the rest is read.
        let (payload, parent) = store.read(head.commit)
        let top = (try? payload.get()).flatMap { try? decodeLogRecord($0, owner: head.writer, commit: head.commit) }
        if let top, let (items, headSeq) = try indexedUnread(below: top, in: head, for: reader, after: position) {
            return (items, CursorRecord.Position(commit: head.commit.hex, seq: max(headSeq, position?.seq ?? 0)))
        }
        var items: [InboxItem] = []
        var headSeq: Int64?
        func visit(_ record: LogRecord) -> Bool {
            if headSeq == nil { headSeq = record.seq }
            if let position, record.seq <= position.seq { return false }
            if position == nil && Self.predates(record, reader) { return false }
            if record.isFor(reader.id) { items.append(record) }
            return true
        }
        if let top {
            if visit(top), let parent { try walkLog(LogHead(writer: head.writer, commit: parent)) { visit($1) } }
        } else {
            try walkLog(head) { visit($1) }  // which says why the head cannot be read, and goes on below it
        }
        return (items, CursorRecord.Position(commit: head.commit.hex, seq: max(headSeq ?? 0, position?.seq ?? 0)))
    }

    /// `unread(in:)` by the log index: the head (`top`, read by the caller), then the chains of notes and of messages
    /// to `reader` back to the position, reading nothing else. Nil when the index cannot answer (a head without one, or one that does not
    /// reach down to the position, or a pointer that leads nowhere it says): the caller walks the log instead,
    /// which gives the same items.
    func indexedUnread(below top: LogRecord, in head: LogHead, for reader: Session, after position: CursorRecord.Position?) throws
        -> (items: [InboxItem], headSeq: Int64)? {
        guard let index = top.usableIndex else { return nil }
        let floor = position?.seq ?? 0
        guard index.from <= floor + 1 else { return nil }
        let isNews = { (record: LogRecord) in position != nil || !Self.predates(record, reader) }
        var items: [InboxItem] = []
        if top.seq > floor && top.isFor(reader.id) && isNews(top) { items.append(top) }
        var chains = IndexChains(reader: reader.id, floor: floor)
        guard chains.follow(index, below: top.seq) else { return nil }
        while let (pointer, kind) = chains.next() {
            guard let blob = ObjectID(hex: pointer.blob),
                  case .success(let payload) = store.payload(ofBlob: blob),
                  let record = try? decodeLogRecord(payload, owner: head.writer, commit: blob),
                  record.seq == pointer.seq, record.kind == kind, kind == .note || record.to == reader.id else { return nil }
            guard isNews(record) else { continue }  // older items of this chain predate the reader too
            items.append(record)
            guard let next = record.usableIndex, chains.follow(next, below: record.seq, only: kind) else { return nil }
        }
        return (items, top.seq)
    }
}

/// The chains a reader follows through one log's index: notes, and direct messages to it, newest first, down to
/// (not including) the reader's position.
struct IndexChains {
    let reader: String
    let floor: Int64
    private var pending: [(LogIndex.Pointer, LogRecord.Kind)] = []

    init(reader: String, floor: Int64) {
        self.reader = reader
        self.floor = floor
    }

    /// Adds the pointers of `index` (of the item at sequence `seq`), of one kind or both. False when the index does
    /// not cover every item above the floor: then it cannot say that nothing else is there.
    mutating func follow(_ index: LogIndex, below seq: Int64, only kind: LogRecord.Kind? = nil) -> Bool {
        guard index.from <= floor + 1 else { return false }
        if kind != .message, let note = index.note, note.seq > floor, note.seq < seq { pending.append((note, .note)) }
        if kind != .note, let message = index.to?[reader], message.seq > floor, message.seq < seq {
            pending.append((message, .message))
        }
        return true
    }

    /// The newest pointer not yet followed.
    mutating func next() -> (LogIndex.Pointer, LogRecord.Kind)? {
        guard let newest = pending.indices.max(by: { pending[$0].0.seq < pending[$1].0.seq }) else { return nil }
        return pending.remove(at: newest)
    }
}
