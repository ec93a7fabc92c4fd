#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reading the per-session logs under `refs/coord/v1/log/`: their heads, their records, their clocks.
extension MessageService {
    /// A log and the commit at its head.
    struct LogHead {
        let writer: String
        let commit: ObjectID
        var ref: String { RefLayout.log(writer) }
    }

    /// Every log, one per writing session. Refs whose last component is not a session id are skipped.
    func logHeads() throws -> [LogHead] {
        try store.refs(under: RefLayout.logs).compactMap { ref, commit in
            let writer = String(ref.dropFirst(RefLayout.logs.count))
            guard SessionService.isValidName(writer) else {
                warn("skipping \(ref): not a session id")
                return nil
            }
            return LogHead(writer: writer, commit: commit)
        }
    }

    /// Decodes a log record and checks it belongs to `owner`'s log.
    func decodeLogRecord(_ payload: Data, owner: String, commit: ObjectID) throws -> LogRecord {
        try store.decode(LogKind.self, payload, at: RefLayout.log(owner), commit: commit)
    }

    /// Calls `visit` with each readable record of a log, newest first, until it returns false.
    /// Unreadable records are skipped with a warning: a remote can write anything.
    func walkLog(_ head: LogHead, _ visit: (ObjectID, LogRecord) throws -> Bool) throws {
        try store.walk(from: head.commit) { commit, payload in
            let record: LogRecord
            do {
                record = try decodeLogRecord(try payload.get(), owner: head.writer, commit: commit)
            } catch {
                warn("skipping record \(commit.hex.prefix(12)) of \(head.ref): \(RecordStore.reason(error))")
                return true
            }
            return try visit(commit, record)
        }
    }

    /// The newest readable record of a log: its head, or (with warnings) the first readable one behind an
    /// unreadable head, so that one bad record from a remote neither stops its writer nor lowers the clock.
    func newestRecord(of head: LogHead) throws -> LogRecord? {
        var newest: LogRecord?
        try walkLog(head) { _, record in
            newest = record
            return false
        }
        return newest
    }

    /// The highest sequence of `writer`'s log that any reader's cursor holds.
    func highestSeenSequence(of writer: String) throws -> Int64 {
        try store.heads(under: RefLayout.cursors).compactMap { _, _, payload in
            (try? payload.get()).flatMap { try? JSONDecoder().decode(CursorRecord.self, from: $0) }?.positions[writer]?.seq
        }.max() ?? 0
    }

    /// The Lamport clock for a new item: one more than the largest clock at the head of any log.
    func nextClock() throws -> Int64 { try largestClock() + 1 }

    /// The largest clock at the head of any log (0 when there is none). Heads suffice: along each log clocks only
    /// grow, so a head holds its log's largest clock.
    /// The head records come from the head cache of `log/` when it knows them (a write reads them all).
    func largestClock() throws -> Int64 {
        var largest: Int64 = 0
        for (ref, commit, payload) in try store.heads(under: RefLayout.logs) {
            let writer = String(ref.dropFirst(RefLayout.logs.count))
            guard SessionService.isValidName(writer) else { continue }
            if case .success(let data) = payload, let head = try? decodeLogRecord(data, owner: writer, commit: commit) {
                largest = max(largest, head.clock)
            } else if let newest = try newestRecord(of: LogHead(writer: writer, commit: commit)) {
                largest = max(largest, newest.clock)
            }
        }
        return largest
    }
}
