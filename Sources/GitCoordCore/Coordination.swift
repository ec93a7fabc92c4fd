#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The entry point of the core: one repository, its coordination settings, and the services over the records
/// stored in it (`sessions`, `agentSessions`, `messages`, `delivery`, `claims`, `pins`, `sharing`, `retention`).
///
/// Open one per command (or per MCP call): libgit2 objects belong to one thread at a time. The services are small
/// values made on each use; they hold nothing but this context, so any of them may call another.
public final class Coordination {
    public let repository: Repository
    public let store: RecordStore
    public let settings: Settings
    /// Problems met while reading that did not stop the command (malformed records, mostly), for stderr.
    public private(set) var warnings: [String] = []

    public struct Settings: Sendable {
        /// A session silent for longer than this is stale: shown only with --all, and its name and claims are free.
        public var sessionTTL: Double = 15 * 60
        /// A heartbeat writes a new presence record only when something changed or this much time has passed.
        public var heartbeatInterval: Double = 60
    }

    public static let enabledKey = "coord.enabled"

    /// Opens the repository containing `path` (nil: as git would, from its environment or the current folder).
    /// Unless `requireEnabled` is false, coordination must be on.
    public init(at path: String? = nil, requireEnabled: Bool = true) throws {
        repository = try Repository.discover(from: path)
        store = RecordStore(repository: repository)
        var cachedClone: String?
        store.cloneStamp = { [repository] in
            if cachedClone == nil { cachedClone = try? CloneIdentity.id(in: repository) }
            return cachedClone
        }
        var settings = Settings()
        var problems: [String] = []
        settings.sessionTTL = repository.durationSetting("coord.sessionTTL", or: settings.sessionTTL, example: "15m",
                                                         positive: true, warnings: &problems)
        settings.heartbeatInterval = repository.durationSetting("coord.heartbeatInterval", or: settings.heartbeatInterval,
                                                                example: "60s", warnings: &problems)
        self.settings = settings
        store.warn = { [unowned self] in self.warn($0) }
        store.recordsWritten = { [repository] in StorePacker.recordsWritten($0, in: repository) }
        warnings = problems
        if requireEnabled && !isEnabled { throw CoordError.notEnabled }
    }

    public var isEnabled: Bool { repository.configBool(Self.enabledKey) ?? false }

    /// Turns coordination on (or off) for every worktree: the key lives in the shared repository config.
    /// Turning it off also deletes the derived head caches and the packing state in `.git/coord/` (the records stay
    /// in refs/coord/), and the wake files, which ends every waiting agent hook.
    public func setEnabled(_ enabled: Bool) throws {
        try repository.setConfig(Self.enabledKey, to: enabled ? "true" : nil)
        if !enabled {
            WakeArm.removeAll(in: repository.commonDir)
            StorePacker.removeState(in: repository.commonDir)
            HeadCache.removeAll(in: repository.commonDir)
        }
    }

    func warn(_ message: String) { if !warnings.contains(message) { warnings.append(message) } }

    // MARK: Services

    /// Sessions and their presence, and which one a caller is.
    public var sessions: SessionService { SessionService(coordination: self) }
    /// Coding-agent sessions bound to git-coord sessions.
    public var agentSessions: AgentSessionService { AgentSessionService(coordination: self) }
    /// Notes, direct messages, the feed and inboxes.
    public var messages: MessageService { MessageService(coordination: self) }
    /// What reaches an agent's model unasked at a turn boundary, each exactly once.
    public var delivery: TurnDelivery { TurnDelivery(coordination: self) }
    /// Advisory claims and who else is on a path.
    public var claims: ClaimService { ClaimService(coordination: self) }
    /// Pinned findings.
    public var pins: PinService { PinService(coordination: self) }
    /// Which remotes coordination is shared with, and sync in the background.
    public var sharing: SharingService { SharingService(coordination: self) }
    /// What `git coord gc` drops.
    public var retention: RetentionService { RetentionService(coordination: self) }

    // MARK: Records

    /// An unreadable record that was skipped (or replaced), as a warning.
    func note(_ unreadable: UnreadableRecord) { warn(unreadable.warning) }

    /// The records of a listing, each skipped record noted as a warning.
    func note<Kind>(_ listing: RecordListing<Kind>) -> [StoredRecord<Kind>] {
        for skipped in listing.skipped { warn(skipped.warning) }
        return listing.records
    }

    /// An error as one line, for a warning or a hook's stderr.
    public static func describe(_ error: Error) -> String {
        switch error {
        case is DecodingError: return "its record is not valid git-coord JSON"
        case let error as UnreadableRecord: return error.description
        case let error as CoordError: return error.description
        case let error as GitError: return error.message
        default: return "\(error)"
        }
    }
}

/// What every service of the core shares: its `Coordination`'s repository, store, settings and warnings.
public protocol CoordinationService {
    var coordination: Coordination { get }
}

extension CoordinationService {
    var repository: Repository { coordination.repository }
    var store: RecordStore { coordination.store }
    var settings: Coordination.Settings { coordination.settings }
    func warn(_ message: String) { coordination.warn(message) }
    func note(_ unreadable: UnreadableRecord) { coordination.note(unreadable) }
    func note<Kind>(_ listing: RecordListing<Kind>) -> [StoredRecord<Kind>] { coordination.note(listing) }
}
