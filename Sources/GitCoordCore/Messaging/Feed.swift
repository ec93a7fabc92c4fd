#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The notes feed: every session's notes, merged in the total order, for catching up.
extension MessageService {
    /// Notes in the total order, oldest first: those written in the last `since` seconds, and of those (or of
    /// all) the newest `limit`. Direct messages are never in the feed.
    ///
    /// With only a limit, logs are merged from their heads backwards and the walk stops after `limit`
    /// notes, so the cost follows the limit, not the history.
    public func feed(since: Double? = nil, limit: Int? = nil, now: Millis = nowMillis()) throws -> [LogRecord] {
        let heads = try logHeads()
        if let since {
            let cutoff = now - Millis(since * 1000)
            var notes: [LogRecord] = []
            for head in heads {
                var reader = LogReader(head: head, messages: self)
                while let note = try reader.next(), note.at >= cutoff { notes.append(note) }
            }
            notes.sort(by: LogRecord.precedes)
            return limit.map { Array(notes.suffix($0)) } ?? notes
        }
        return try newestNotes(in: heads, limit: limit ?? Int.max)
    }

    /// A k-way merge of the logs from their heads: each log is newest-first in clock order, so repeatedly
    /// taking the largest current record yields all records newest-first.
    private func newestNotes(in heads: [LogHead], limit: Int) throws -> [LogRecord] {
        var readers = heads.map { LogReader(head: $0, messages: self) }
        var notes: [LogRecord] = []
        var current = try readers.indices.map { try readers[$0].next() }
        while notes.count < limit {
            var best: Int?
            for index in current.indices {
                guard let record = current[index] else { continue }
                if best == nil || LogRecord.precedes(current[best!]!, record) { best = index }
            }
            guard let best, let record = current[best] else { break }
            notes.append(record)
            current[best] = try readers[best].next()
        }
        // A log from another clone may be out of clock order; the result is still sorted for display.
        return notes.sorted(by: LogRecord.precedes)
    }
}

/// Reads the notes of one log, newest first, skipping unreadable records with a warning. It follows the log index
/// from note to note, reading each note's payload only, so the messages between them are never read; where the
/// index cannot answer (records without one, a pointer that does not lead to the note it names) it walks record by
/// record from the head, below what it has read already: the same notes either way.
struct LogReader {
    let head: MessageService.LogHead
    let messages: MessageService
    /// The next commit of a walk along the chain.
    private var pending: ObjectID?
    /// The next note to read by its payload, following the index.
    private var jump: LogIndex.Pointer?
    /// Every record at or above this sequence was read already.
    private var below = Int64.max

    init(head: MessageService.LogHead, messages: MessageService) {
        self.head = head
        self.messages = messages
        pending = head.commit
    }

    mutating func next() throws -> LogRecord? {
        while true {
            let record: LogRecord
            let viaPointer = jump != nil
            if let pointer = jump {
                jump = nil
                guard let blob = ObjectID(hex: pointer.blob), case .success(let payload) = messages.store.payload(ofBlob: blob),
                      let found = try? messages.decodeLogRecord(payload, owner: head.writer, commit: blob),
                      found.seq == pointer.seq, found.kind == .note, found.seq < below else {
                    pending = head.commit  // a pointer that leads elsewhere: walk instead
                    continue
                }
                record = found
            } else if let commit = pending {
                let (payload, parent) = messages.store.read(commit)
                pending = parent
                do {
                    record = try messages.decodeLogRecord(try payload.get(), owner: head.writer, commit: commit)
                } catch {
                    messages.warn("skipping record \(commit.hex.prefix(12)) of \(head.ref): \(RecordStore.reason(error))")
                    continue
                }
                guard record.seq < below else { continue }  // read before a pointer failed
            } else {
                return nil
            }
            below = record.seq
            if let index = record.usableIndex {
                if let note = index.note {
                    jump = note
                    pending = nil
                } else if index.from <= 1 {
                    pending = nil  // the index covers the whole log: no note before this one
                } else if viaPointer {
                    pending = head.commit  // reached by its payload, which names no parent: walk below it
                }
            } else if viaPointer {
                pending = head.commit
            }
            if record.kind == .note { return record }
        }
    }
}
