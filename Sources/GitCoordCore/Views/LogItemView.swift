/// The stable, documented JSON form of a note or direct message (`inbox --json`, `feed --json`, the MCP
/// server). Text is raw, exactly as written; fields are only ever added within schema version 1.
public struct LogItemView: Encodable, Sendable {
    public struct Author: Encodable, Sendable {
        public let id: String
        public let name: String
        public let branch: String?
    }

    /// "<writer session id>.<sequence>": unique and stable across clones.
    public let id: String
    /// "note" or "message".
    public let kind: String
    public let from: Author
    /// The recipient's session id, for a direct message.
    public let to: String?
    public let text: String
    public let at: String
    public let secondsAgo: Int
    /// The Lamport clock; items are listed by (clock, from.id, seq).
    public let clock: Int64
    public let seq: Int64

    public init(_ record: LogRecord, now: Millis = nowMillis()) {
        id = record.itemID
        kind = record.kind.rawValue
        from = Author(id: record.from, name: record.fromName, branch: record.branch)
        to = record.to
        text = record.text
        at = iso8601(record.at)
        secondsAgo = Int(max(0, now - record.at) / 1000)
        clock = record.clock
        seq = record.seq
    }
}

/// The top level of `git coord inbox --json`.
public struct InboxView: Encodable, Sendable {
    public let schema = "git-coord.inbox/1"
    /// The reading session's id.
    public let session: String
    /// True when the items were not marked seen (`--peek`).
    public let peek: Bool
    public let items: [LogItemView]

    public init(session: String, peek: Bool, items: [LogRecord], now: Millis = nowMillis()) {
        self.session = session
        self.peek = peek
        self.items = items.map { LogItemView($0, now: now) }
    }
}

/// The top level of `git coord feed --json`.
public struct FeedView: Encodable, Sendable {
    public let schema = "git-coord.feed/1"
    public let notes: [LogItemView]

    public init(_ notes: [LogRecord], now: Millis = nowMillis()) {
        self.notes = notes.map { LogItemView($0, now: now) }
    }
}
