/// One item of a session's log (`refs/coord/v1/log/<session-id>`): a note for everyone or a direct message
/// to one session. Written once, never changed; the log is the chain of these, newest at the head.
public struct LogRecord: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public enum Kind: String, Codable, Sendable {
        case note, message
    }

    public var version: Int = LogRecord.currentVersion
    public var kind: Kind
    /// The writing session's id: always the log's own id (readers skip a record that says otherwise).
    public var from: String
    /// The writer's name and branch when it wrote, so an item reads well after its session is gone.
    public var fromName: String
    public var branch: String?
    /// The recipient's session id, for a direct message; nil for a note.
    public var to: String?
    public var text: String
    /// Lamport clock: 1 + the largest clock at the head of every log when written. See docs/design.md.
    public var clock: Int64
    /// Position in this log: 1 for the first item, +1 for each next one.
    public var seq: Int64
    /// When it was written, in milliseconds since the Unix epoch.
    public var at: Millis

    /// The total order every reader agrees on: clock, then writer id, then sequence.
    public static func precedes(_ a: LogRecord, _ b: LogRecord) -> Bool {
        (a.clock, a.from, a.seq) < (b.clock, b.from, b.seq)
    }

    /// A stable id for an item: writer id and sequence, e.g. "46ab0b2c37ce.17".
    public var itemID: String { "\(from).\(seq)" }

    /// Clocks and sequences above this are refused on read, so that `1 + max` can never overflow
    /// whatever another clone wrote.
    static let maximumCounter: Int64 = 1 << 53

    /// Why a record read from `log/<owner>` cannot be trusted, or nil when it can.
    func problem(owner: String) -> String? {
        if from != owner { return "its record says it was written by \(from)" }
        if clock < 1 || clock > Self.maximumCounter || seq < 1 || seq > Self.maximumCounter { return "its clock or sequence is out of range" }
        if kind == .message && to == nil { return "a direct message without a recipient" }
        return nil
    }
}

/// A reader's unread cursor (`refs/coord/v1/cursors/<session-id>`): how far it has read each writer's log.
public struct CursorRecord: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public struct Position: Codable, Equatable, Sendable {
        /// The log head last read (hex): when the head is still this commit there is nothing new, without
        /// reading a single record.
        public var commit: String
        /// The sequence of that head: everything at or below it counts as seen, even if the log is replaced.
        public var seq: Int64
    }

    public var version: Int = CursorRecord.currentVersion
    public var session: String
    /// By writer session id.
    public var positions: [String: Position]
}
