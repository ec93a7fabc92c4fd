/// A pin as `git coord pins --json` and the MCP `pins` tool show it.
public struct PinView: Encodable, Sendable {
    public let id: String
    public let text: String
    public let by: String
    public let byName: String
    public let at: String
    public let ageSeconds: Int64
    public let removedAt: String?
    public let removedBy: String?

    public init(_ pin: PinRecord, now: Millis) {
        id = pin.id
        text = pin.text
        by = pin.by
        byName = pin.byName
        at = iso8601(pin.at)
        ageSeconds = max(0, (now - pin.at) / 1000)
        removedAt = pin.removed.map(iso8601)
        removedBy = pin.removedBy
    }

    enum CodingKeys: String, CodingKey { case id, text, by, byName, at, ageSeconds, removedAt, removedBy }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(text, forKey: .text)
        try container.encode(by, forKey: .by)
        try container.encode(byName, forKey: .byName)
        try container.encode(at, forKey: .at)
        try container.encode(ageSeconds, forKey: .ageSeconds)
        try container.encode(removedAt, forKey: .removedAt)
        try container.encode(removedBy, forKey: .removedBy)
    }
}

public struct PinListView: Encodable, Sendable {
    public let schema = "git-coord.pins/1"
    public let pins: [PinView]

    public init(_ pins: [PinRecord], now: Millis) { self.pins = pins.map { PinView($0, now: now) } }
}
