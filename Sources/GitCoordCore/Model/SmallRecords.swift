/// `names/<name>`: the session that holds a name in this clone, and since when (a hold whose session record never
/// appears is free again after the start grace period).
public struct NameRecord: Codable, Equatable, Sendable {
    public var session: String
    public var at: Millis?
}

/// `agents/<kind>/<key>`: which git-coord session an agent's own session is.
public struct AgentBinding: Codable, Equatable, Sendable {
    public var version = 1
    public var agent: String
    public var agentSessionID: String
    public var session: String
}

/// `delivered/<id>`: how far takeovers of a session's claims were delivered into its agent's context.
public struct DeliveryMark: Codable, Equatable, Sendable {
    public var version = 1
    public var session: String
    public var takeoversUntil: Millis
    public var claimsFingerprint: String?
}
