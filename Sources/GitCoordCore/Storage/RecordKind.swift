#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One kind of record, declared once (the idea of git-bug's `dag.Definition`): the folder its refs live in under
/// refs/coord/v1/, its payload type, who may write it, how a record is checked against its ref, and what sync does
/// when two clones forked its chain. The entity code reads and writes typed payloads through `RecordStore`'s typed
/// methods, and sync classifies refs from the same declarations (`RecordKinds`).
public protocol RecordKind {
    associatedtype Payload: Codable & Sendable
    /// The folder of its refs, relative to refs/coord/v1/ ("sessions", "claims/paths").
    static var folder: String { get }
    /// How many name components follow the folder (agents/<kind>/<key> has two).
    static var depth: Int { get }
    /// What one record is called in messages ("session", "log").
    static var noun: String { get }
    static var writer: RecordWriter { get }
    static var forks: ForkPolicy { get }
    /// Whether a ref name (without refs/coord/v1/, split at "/") is one of this kind's.
    static func isRef(_ components: [Substring]) -> Bool
    /// Why `payload` cannot be the record at `ref` (an id that names another ref, a value out of range); nil if it can.
    static func problem(with payload: Payload, at ref: String) -> String?
    /// The payload read by `JSONScanner` when it is in the shape git-coord writes, nil otherwise (then `JSONDecoder`
    /// reads it). Kinds read by the thousand have one; the default is nil.
    static func scanned(_ data: Data) -> Payload?
}

/// Who may move a ref of a kind: that is what makes every honest change a fast-forward.
public enum RecordWriter: Sendable {
    /// Only the session its name is (or is under): a single-writer chain.
    case owner
    /// Anyone, by compare-and-swap; the records carry what a deterministic tie rule needs.
    case arbiter
}

/// What sync does with a ref of a kind. See docs/design.md, "Integration rules, per ref kind".
public enum ForkPolicy: Sendable {
    /// One writer; a forked chain is settled by a merge commit keeping the newest record.
    case keepNewest
    /// One writer's log: only fast-forwards; a fork is reported, never merged or dropped.
    case report
    /// An arbiter: a fork is settled by a merge commit naming one deterministic winner.
    case settle
    /// An arbiter whose records only ever gain a removal (pins): a fork keeps the removed side.
    case removalWins
    /// This clone's own: never sent, never taken.
    case neverShared
}

extension RecordKind {
    public static var depth: Int { 1 }
    public static func scanned(_ data: Data) -> Payload? { nil }
    public static var prefix: String { RefLayout.root + folder + "/" }

    /// The folder, then `depth` safe names.
    public static func isRef(_ components: [Substring]) -> Bool {
        let folder = self.folder.split(separator: "/")
        return components.count == folder.count + depth && components.starts(with: folder)
            && components.dropFirst(folder.count).allSatisfy { SessionService.isValidName(String($0)) }
    }

    /// The last component of a ref of this kind (a session id, a name, a hash).
    static func key(of ref: String) -> Substring { ref[ref.utf8.index(after: ref.utf8.lastIndex(of: UInt8(ascii: "/"))!)...] }
}

/// Every kind of record this version writes, for what needs all of them (sync's classification, `doctor`).
public enum RecordKinds {
    public static let all: [any RecordKind.Type] = [
        SessionKind.self, NameKind.self, LogKind.self, CursorKind.self, ClaimRecordKind.self, AgentBindingKind.self,
        DeliveryMarkKind.self, RosterKind.self, PinKind.self,
    ]

    /// The kind whose refs `rest` (a ref name without refs/coord/v1/) is one of, if any.
    public static func kind(of rest: String) -> (any RecordKind.Type)? {
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        return all.first { $0.isRef(parts) }
    }
}

// MARK: The kinds

/// `sessions/<id>`: a session's presence chain.
public enum SessionKind: RecordKind {
    public static let noun = "session"
    public typealias Payload = SessionRecord
    public static let folder = "sessions"
    public static let writer = RecordWriter.owner
    public static let forks = ForkPolicy.keepNewest
    public static func scanned(_ data: Data) -> SessionRecord? { SessionRecord.scanned(data) }
    public static func problem(with payload: SessionRecord, at ref: String) -> String? {
        payload.id == key(of: ref) ? nil : "its record names session \(payload.id)"
    }
}

/// `names/<name>`: which session holds a name, in this clone.
public enum NameKind: RecordKind {
    public static let noun = "name"
    public static let folder = "names"
    public static let writer = RecordWriter.arbiter
    public static let forks = ForkPolicy.neverShared
    public static func problem(with payload: NameRecord, at ref: String) -> String? {
        SessionService.isValidName(payload.session) ? nil : "it names no valid session"
    }
}

/// `log/<id>`: a session's notes and outgoing direct messages.
public enum LogKind: RecordKind {
    public static let noun = "log"
    public typealias Payload = LogRecord
    public static let folder = "log"
    public static let writer = RecordWriter.owner
    public static let forks = ForkPolicy.report
    public static func scanned(_ data: Data) -> LogRecord? { LogRecord.scanned(data) }
    public static func problem(with payload: LogRecord, at ref: String) -> String? {
        payload.problem(owner: String(key(of: ref)))
    }
}

/// `cursors/<id>`: how far a session has read every other log.
public enum CursorKind: RecordKind {
    public static let noun = "cursor"
    public typealias Payload = CursorRecord
    public static let folder = "cursors"
    public static let writer = RecordWriter.owner
    public static let forks = ForkPolicy.report
    public static func problem(with payload: CursorRecord, at ref: String) -> String? {
        payload.session == key(of: ref) ? nil : "its record names session \(payload.session)"
    }
}

/// `claims/paths/<hash>` (a file or folder) and `claims/patterns/<hash>` (a wildcard pattern): a claim, named by the
/// blob id of its normalised text. Files and patterns live apart only so that a path check lists patterns alone.
public enum ClaimRecordKind: RecordKind {
    public static let noun = "claim"
    public typealias Payload = ClaimRecord
    public static let folder = "claims"
    public static let depth = 2
    public static let writer = RecordWriter.arbiter
    public static let forks = ForkPolicy.settle
    public static func isRef(_ components: [Substring]) -> Bool {
        components.count == 3 && components[0] == "claims" && (components[1] == "paths" || components[1] == "patterns")
            && components[2].utf8.count == 40
    }
    public static func scanned(_ data: Data) -> ClaimRecord? { ClaimRecord.scanned(data) }
    public static func problem(with payload: ClaimRecord, at ref: String) -> String? {
        payload.claimPattern.refName == ref ? nil : "its pattern does not hash to its ref name"
    }
}

/// `agents/<kind>/<key>`: which git-coord session an agent's own session is.
public enum AgentBindingKind: RecordKind {
    public static let noun = "agent binding"
    public static let folder = "agents"
    public static let depth = 2
    public static let writer = RecordWriter.arbiter
    public static let forks = ForkPolicy.neverShared
    public static func problem(with payload: AgentBinding, at ref: String) -> String? {
        RefLayout.agent(payload.agent, AgentSessionService.agentKey(payload.agentSessionID)) == ref
            && SessionService.isValidName(payload.session) ? nil : "its record does not match its ref name"
    }
}

/// `delivered/<id>`: how far takeovers of a session's claims reached its model.
public enum DeliveryMarkKind: RecordKind {
    public static let noun = "delivery mark"
    public static let folder = "delivered"
    public static let writer = RecordWriter.owner
    public static let forks = ForkPolicy.neverShared
    public static func problem(with payload: DeliveryMark, at ref: String) -> String? {
        payload.session == key(of: ref) ? nil : "its record names session \(payload.session)"
    }
}
