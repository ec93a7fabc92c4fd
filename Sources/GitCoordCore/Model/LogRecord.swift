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
    /// Where the previous notes and direct messages of this log are, so that a reader can skip what is not for it
    /// (docs/design.md, "Skipping what is not for the reader"). Nil in records of versions before it; a malformed
    /// one is read as nil (the record itself stays readable, as it is for versions that ignore the field).
    public var index: LogIndex?

    public init(kind: Kind, from: String, fromName: String, branch: String?, to: String?, text: String, clock: Int64,
                seq: Int64, at: Millis, index: LogIndex? = nil) {
        self.kind = kind
        self.from = from
        self.fromName = fromName
        self.branch = branch
        self.to = to
        self.text = text
        self.clock = clock
        self.seq = seq
        self.at = at
        self.index = index
    }

    private enum CodingKeys: String, CodingKey {
        case version, kind, from, fromName, branch, to, text, clock, seq, at, index
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        kind = try container.decode(Kind.self, forKey: .kind)
        from = try container.decode(String.self, forKey: .from)
        fromName = try container.decode(String.self, forKey: .fromName)
        branch = try container.decodeIfPresent(String.self, forKey: .branch)
        to = try container.decodeIfPresent(String.self, forKey: .to)
        text = try container.decode(String.self, forKey: .text)
        clock = try container.decode(Int64.self, forKey: .clock)
        seq = try container.decode(Int64.self, forKey: .seq)
        at = try container.decode(Int64.self, forKey: .at)
        index = try? container.decodeIfPresent(LogIndex.self, forKey: .index)
    }

    /// The total order every reader agrees on: clock, then writer id, then sequence.
    public static func precedes(_ a: LogRecord, _ b: LogRecord) -> Bool {
        (a.clock, a.from, a.seq) < (b.clock, b.from, b.seq)
    }

    /// A stable id for an item: writer id and sequence, e.g. "46ab0b2c37ce.17".
    public var itemID: String { "\(from).\(seq)" }

    /// Clocks and sequences above this are refused on read, so that `1 + max` can never overflow
    /// whatever another clone wrote.
    static let maximumCounter: Int64 = 1 << 53

    /// The index, when it is well formed for this record: pointers below its own sequence and not below `from`,
    /// to object ids, for valid session ids. Anything else is as good as no index: readers walk the log instead.
    public var usableIndex: LogIndex? {
        guard let index, index.from >= 1, index.from <= seq else { return nil }
        func usable(_ pointer: LogIndex.Pointer) -> Bool {
            pointer.seq >= index.from && pointer.seq < seq && pointer.blob.utf8.count == 40
                && pointer.blob.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        }
        if let note = index.note, !usable(note) { return nil }
        for (recipient, pointer) in index.to ?? [:] where !usable(pointer) || !SessionService.isValidName(recipient) { return nil }
        return index
    }

    /// Whether this item is for `reader`: a note, or a direct message to it.
    func isFor(_ reader: String) -> Bool { kind == .note || to == reader }

    /// Why a record read from `log/<owner>` cannot be trusted, or nil when it can.
    func problem(owner: String) -> String? {
        if from != owner { return "its record says it was written by \(from)" }
        if clock < 1 || clock > Self.maximumCounter || seq < 1 || seq > Self.maximumCounter { return "its clock or sequence is out of range" }
        if kind == .message && to == nil { return "a direct message without a recipient" }
        return nil
    }
}

/// What came before an item in its log (docs/design.md, "Skipping what is not for the reader"): among the items
/// with sequences from `from` up to the item's own (excluded), the newest note and the newest direct message to
/// each recipient.
public struct LogIndex: Codable, Equatable, Sendable {
    public struct Pointer: Codable, Equatable, Sendable {
        public var seq: Int64
        /// The item's payload: the blob id (hex) of its record's `record.json`. A reader reads that one object,
        /// not the commit and tree that lead to it.
        public var blob: String

        public init(seq: Int64, blob: String) {
            self.seq = seq
            self.blob = blob
        }
    }

    /// The first sequence the index covers.
    public var from: Int64
    public var note: Pointer?
    /// By recipient session id; absent when the writer sent no message since `from`.
    public var to: [String: Pointer]?

    public init(from: Int64, note: Pointer? = nil, to: [String: Pointer]? = nil) {
        self.from = from
        self.note = note
        self.to = to
    }

    /// The index of the item after `record` (whose payload is the blob `blob`): this one, with `record` counted under
    /// its kind.
    func adding(_ record: LogRecord, blob: ObjectID) -> LogIndex {
        var next = self
        let pointer = Pointer(seq: record.seq, blob: blob.hex)
        switch record.kind {
        case .note: next.note = pointer
        case .message:
            if let recipient = record.to { next.to = (next.to ?? [:]).merging([recipient: pointer]) { $1 } }
        }
        return next
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
