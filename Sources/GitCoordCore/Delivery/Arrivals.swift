/// Arrivals and departures: each live session is told once, at its next turn boundary, which sessions joined and
/// which ended since it was last told, the way it is told of notes. Each reader keeps what it was last told in
/// `refs/coord/v1/roster/<its id>` (written only for it, never shared), moved by compare-and-swap like its cursor.
extension TurnDelivery {
    /// What changed among the other live sessions since `reader` was last told, marked told in the same
    /// compare-and-swap. The first call only records who is live (a SessionStart lists them already).
    ///
    /// Bursts fold: a session that joined and ended between two turns is not mentioned; a session that ended and
    /// one of the same name that joined (an agent restarted) make one "restarted".
    public func rosterChanges(to reader: Session, among sessions: [Session]) throws -> RosterChanges {
        let live = sessions.filter { $0.isLive && $0.id != reader.id }
        let byID = Dictionary(sessions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var changes = RosterChanges()
        try store.update(RosterKind.self, at: RefLayout.roster(reader.id), message: "roster of \(reader.name)",
                         ifUnreadable: note) { current in
            let next = RosterRecord(session: reader.id, live: Dictionary(live.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }))
            changes = RosterChanges()
            guard let told = current?.payload else { return next }
            if told.live == next.live { return nil }
            let joined = live.filter { told.live[$0.id] == nil }
            let left = told.live.filter { next.live[$0.key] == nil }.map { (id: $0.key, name: $0.value) }
            let restartedNames = Set(joined.map(\.name)).intersection(left.map(\.name))
            changes.joined = joined.filter { !restartedNames.contains($0.name) }
            changes.restarted = joined.filter { restartedNames.contains($0.name) }
            changes.left = left.filter { !restartedNames.contains($0.name) }.sorted { $0.name < $1.name }
                .map { RosterChanges.Departure(name: $0.name, session: byID[$0.id]) }
            return next
        }
        return changes
    }
}

public struct RosterChanges: Sendable {
    public struct Departure: Sendable {
        public let name: String
        /// Its record, when still there (nil: dropped by gc): says whether it ended or its process is gone.
        public let session: Session?
    }

    public var joined: [Session] = []
    public var restarted: [Session] = []
    public var left: [Departure] = []

    public var isEmpty: Bool { joined.isEmpty && restarted.isEmpty && left.isEmpty }
}

/// `roster/<id>`: the other live sessions a session was last told of, by id, with their names.
public struct RosterRecord: Codable, Equatable, Sendable {
    public var version = 1
    public var session: String
    public var live: [String: String]
}

public enum RosterKind: RecordKind {
    public static let folder = "roster"
    public static let noun = "roster"
    public static let writer = RecordWriter.owner
    public static let forks = ForkPolicy.neverShared
    public static func problem(with payload: RosterRecord, at ref: String) -> String? {
        payload.session == key(of: ref) ? nil : "its record names session \(payload.session)"
    }
}
