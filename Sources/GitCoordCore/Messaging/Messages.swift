#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Notes, direct messages, the feed and inboxes: the entity layer over the per-session logs under
/// `refs/coord/v1/log/` and the readers' cursors. Writing appends to the sending session's own log.
public struct MessageService: CoordinationService {
    public let coordination: Coordination

    /// Posts a note every other session will see in its inbox, and returns what was written.
    ///
    /// `text` is checked with `MessageText.validated` (size, binary, empty) and stored exactly as given.
    @discardableResult
    public func note(_ text: String, from sender: Session) throws -> LogRecord {
        try append(.note, text: MessageText.validated(text), to: nil, from: sender)
    }

    /// Sends a direct message to one session, named by id or name, and returns what was written.
    ///
    /// An unknown or ended recipient is an error listing the live sessions; a stale one gets the message
    /// with a warning in `warnings` (it will read it when it comes back).
    @discardableResult
    public func send(_ text: String, to recipient: String, from sender: Session) throws -> LogRecord {
        let text = try MessageText.validated(text, what: "the message")
        let target = try self.recipient(recipient)
        if target.id == sender.id { throw CoordError.messageToSelf }
        if target.state == .stale {
            warn("session '\(target.name)' is stale (silent for over \(formatAge(settings.sessionTTL))); it will see the message when it returns")
        }
        return try append(.message, text: text, to: target.id, from: sender)
    }

    /// The index of a new item (sequence `seq`) appended on `commit`, whose record is `head` when readable: the head's
    /// index plus the head. A head without one (written by a version before indexes) is completed from the newest
    /// indexed record at most `indexSearchLimit` items behind it; with none, the index starts at the oldest item
    /// looked at (the log's first when it is that short).
    func nextIndex(after commit: ObjectID, head: (record: LogRecord, payload: Data)?, writer: String, seq: Int64) throws -> LogIndex {
        if let head, head.record.seq < seq, let index = head.record.usableIndex {
            return index.adding(head.record, blob: RecordStore.blobID(of: head.payload))
        }
        var behind: [(ObjectID, LogRecord)] = []
        var base: LogIndex?
        try store.walk(from: commit) { commit, payload in
            guard let data = try? payload.get(), let record = try? decodeLogRecord(data, owner: writer, commit: commit) else {
                return true  // unreadable: readers skip it too
            }
            if record.seq >= seq { return true }  // a replaced log's records above the new item: not before it
            behind.append((RecordStore.blobID(of: data), record))
            if let index = record.usableIndex {
                base = index
                return false
            }
            return behind.count < Self.indexSearchLimit
        }
        var index = base ?? LogIndex(from: behind.last?.1.seq ?? seq)
        for (blob, record) in behind.reversed() where record.seq >= index.from { index = index.adding(record, blob: blob) }
        return index
    }

    /// How far back a writer looks for an indexed record when its head has none.
    static let indexSearchLimit = 200

    /// The session a direct message goes to: by id, else by name (the live holder of the name first), else by the
    /// one live session whose name or id starts with `selector`. A miss names the closest live names.
    public func recipient(_ selector: String) throws -> Session {
        let all = try coordination.sessions.all()
        let liveSessions = all.filter(\.isLive)
        let live = liveSessions.map(\.name)
        let byName = all.filter { $0.name == selector }
        if let target = all.first(where: { $0.id == selector }) ?? byName.first(where: { $0.state != .ended }) ?? byName.first {
            if target.state == .ended { throw CoordError.recipientEnded(target.name, live: live) }
            return target
        }
        let prefixed = liveSessions.filter { $0.name.hasPrefix(selector) || $0.id.hasPrefix(selector) }
        if prefixed.count == 1 { return prefixed[0] }
        if prefixed.count > 1 { throw CoordError.ambiguousRecipient(selector, matching: prefixed.map(\.name)) }
        throw CoordError.unknownRecipient(selector, closest: NameSuggestions.closest(to: selector, among: live), live: live)
    }

    /// Appends one item to the sender's log by compare-and-swap: only the sender's processes write there, so
    /// a retry happens only when two of them write at once, and neither item is lost. Untyped `update`, unlike
    /// every other writer: an unreadable head stays in the chain (the item goes on top of it), and the new item's
    /// index points at the head by the blob of its raw bytes.
    func append(_ kind: LogRecord.Kind, text: String, to recipient: String?, from sender: Session) throws -> LogRecord {
        if sender.state == .ended { throw CoordError.sessionEnded(sender.name) }
        let ref = RefLayout.log(sender.id)
        var written: LogRecord?
        try store.update(ref, message: "\(kind.rawValue) from \(sender.name)") { current in
            let head = current.flatMap { current in
                (try? decodeLogRecord(current.payload, owner: sender.id, commit: current.commit)).map { ($0, current.payload) }
            }
            let previous = try head?.0 ?? current.flatMap { try newestRecord(of: LogHead(writer: sender.id, commit: $0.commit)) }
            // No readable head (a first item, or a head that was lost): continue above what any reader has seen,
            // or a reader whose cursor is past the new sequence would never be shown the new items.
            let seen = head == nil ? try highestSeenSequence(of: sender.id) : 0
            let seq = max(previous?.seq ?? 0, seen) + 1
            let index = try current.map { try nextIndex(after: $0.commit, head: head, writer: sender.id, seq: seq) }
                ?? LogIndex(from: seq)
            let record = LogRecord(kind: kind, from: sender.id, fromName: sender.name, branch: sender.record.branch,
                                   to: recipient, text: text, clock: try nextClock(), seq: seq, at: nowMillis(),
                                   index: index)
            written = record
            return try store.encode(LogKind.self, record)
        }
        guard let written else { throw CoordError.contention(ref: ref) }
        return written
    }
}
