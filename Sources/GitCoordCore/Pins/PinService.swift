#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Pinned findings: a small, durable board of facts every session should know ("auth lives in src/auth/"), shown
/// to each session when it starts. Notes are the stream; pins are what a newcomer must read. Any session pins,
/// anyone unpins. Each pin is its own ref, `pins/<id>`, an arbiter any session may move by compare-and-swap; an
/// unpin appends a record with `removed` set (the chain only moves forward, so sync carries the removal to
/// every clone, which deleting the ref would not).
public struct PinService: CoordinationService {
    public let coordination: Coordination

    /// At most this many bytes of UTF-8 in a pin: a line or two, not a document.
    public static let maximumPinBytes = 1_000

    /// Pins a finding for every session, as `session`; returns the pin.
    @discardableResult
    public func add(_ text: String, by session: Session) throws -> PinRecord {
        let validated = try MessageText.validated(text, what: "the pin")
        guard validated.utf8.count <= Self.maximumPinBytes else {
            throw CoordError.textTooLarge(what: "the pin", bytes: validated.utf8.count, limit: Self.maximumPinBytes)
        }
        if session.state == .ended { throw CoordError.sessionEnded(session.name) }
        let record = PinRecord(id: SessionService.newID(), text: validated, by: session.id, byName: session.name, at: nowMillis())
        try store.update(PinKind.self, at: RefLayout.pin(record.id), message: "pin by \(session.name)") { current in
            guard current == nil else { throw CoordError.sessionIDTaken(record.id) }
            return record
        }
        return record
    }

    /// The pins, oldest first; with `removed`, unpinned ones too.
    public func all(includingRemoved: Bool = false) throws -> [PinRecord] {
        note(try store.list(PinKind.self)).map(\.payload)
            .filter { includingRemoved || $0.removed == nil }
            .sorted { ($0.at, $0.id) < ($1.at, $1.id) }
    }

    /// Unpins the pin whose id is `id` or starts with it (at least 4 characters, and only one such pin).
    @discardableResult
    public func remove(_ id: String, by name: String) throws -> PinRecord {
        let candidates = try all().filter { id.count >= 4 && $0.id.hasPrefix(id) }
        guard candidates.count == 1, let pin = candidates.first else {
            throw CoordError.unknownPin(id, matching: candidates.map(\.id))
        }
        var removed = pin
        try store.update(PinKind.self, at: RefLayout.pin(pin.id), message: "unpin by \(name)") { current in
            guard var record = current?.payload else { throw CoordError.unknownPin(id, matching: []) }
            guard record.removed == nil else { return nil }
            record.removed = nowMillis()
            record.removedBy = name
            removed = record
            return record
        }
        return removed
    }
}

/// `pins/<id>`: one pinned finding.
public struct PinRecord: Codable, Equatable, Sendable {
    public var version = 1
    public var id: String
    public var text: String
    /// The session that pinned it, and its name then.
    public var by: String
    public var byName: String
    public var at: Millis
    public var removed: Millis?
    /// The name of whoever unpinned it.
    public var removedBy: String?

    public init(id: String, text: String, by: String, byName: String, at: Millis) {
        self.id = id
        self.text = text
        self.by = by
        self.byName = byName
        self.at = at
    }
}

public enum PinKind: RecordKind {
    public static let folder = "pins"
    public static let noun = "pin"
    public static let writer = RecordWriter.arbiter
    public static let forks = ForkPolicy.removalWins
    public static func problem(with payload: PinRecord, at ref: String) -> String? {
        guard payload.id == key(of: ref) else { return "its record names pin \(payload.id)" }
        guard !payload.text.isEmpty, payload.text.utf8.count <= PinService.maximumPinBytes else { return "its text is empty or too long" }
        return nil
    }
}
