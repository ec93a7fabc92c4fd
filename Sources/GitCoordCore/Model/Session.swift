import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Milliseconds since the Unix epoch: the one time unit in records.
public typealias Millis = Int64

public func nowMillis() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }

/// A file a session is working on, and when it last changed (or was touched).
public struct TouchedFile: Codable, Equatable, Sendable {
    public var path: String
    public var at: Millis

    public init(path: String, at: Millis) {
        self.path = path
        self.at = at
    }
}

/// A session's presence record: what `refs/coord/v1/sessions/<id>` holds. Only metadata the user chose to
/// share (names, paths, times, branch, task), never file contents or transcripts.
public struct SessionRecord: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public var version: Int = SessionRecord.currentVersion
    public var id: String
    public var name: String
    public var agent: String?
    /// The agent's own id for this session (e.g. Claude Code's session_id), so a resumed agent keeps its identity.
    public var agentSessionID: String?
    public var task: String
    public var branch: String?
    public var head: String?
    public var worktree: String
    public var host: String
    public var started: Millis
    public var seen: Millis
    public var ended: Millis?
    /// Files named explicitly (`git coord touch`, agent edit hooks).
    public var touched: [TouchedFile]
    /// Files with uncommitted changes in the session's worktree, as of `seen`.
    public var changed: [TouchedFile]
    /// The clone (`coord.cloneId`) the session runs in, so views can label sessions that arrived by sync.
    public var clone: String? = nil
    /// When `changed` was last computed from a status of the whole worktree (nil in records written before
    /// it was recorded). Agent edit hooks re-check only the edited files until it is a heartbeat old.
    public var scanned: Millis? = nil
    /// The largest Lamport clock of any log when the session started: notes with a larger clock came after it,
    /// whatever the writers' wall clocks say (nil in records written before it was recorded).
    public var startClock: Int64? = nil
    /// Where the task came from: said by the session (`git coord task`, `set_task`, `start --task`), which nothing
    /// overwrites; or taken from what the user asked (the title the agent generated, else the first prompt).
    public var taskSource: TaskSource? = nil
    /// The agent process the session runs in, when an agent's hook started it: readers on the same machine see
    /// at once when it is gone (killed, crashed) instead of waiting for `coord.sessionTTL`.
    public var process: ProcessIdentity? = nil

    /// Everything but the heartbeat and scan times: a write is needed only when this changes (or the heartbeat
    /// is due).
    func sameContent(as other: SessionRecord) -> Bool {
        var a = self, b = other
        (a.seen, a.scanned) = (0, nil)
        (b.seen, b.scanned) = (0, nil)
        return a == b
    }
}

public enum TaskSource: String, Codable, Sendable {
    case explicit, title, prompt
}

/// One process, told apart from any later process with the same pid: its start time (clock ticks since boot, from
/// /proc/<pid>/stat) on the machine whose boot id it names.
public struct ProcessIdentity: Codable, Equatable, Sendable {
    public var pid: Int32
    public var started: UInt64
    public var boot: String
    /// The pid namespace the pid belongs to: only a reader in the same one can look it up.
    public var namespace: String?

    public init(pid: Int32, started: UInt64, boot: String, namespace: String?) {
        self.pid = pid
        self.started = started
        self.boot = boot
        self.namespace = namespace
    }
}

public enum SessionState: String, Codable, Sendable {
    case live, stale, ended
}

/// A session as read back: its record, the ref it came from, and its state now.
public struct Session: Sendable {
    public let record: SessionRecord
    public let state: SessionState

    public var id: String { record.id }
    public var name: String { record.name }
    public var isLive: Bool { state == .live }

    /// Its agent process, on this machine, is known to be gone (killed, crashed): stale at once, not after the TTL.
    public let processGone: Bool

    /// `checkingProcess: false` leaves the agent's process unlooked-up (live by the TTL alone): for a caller that
    /// then checks, with `isGone`, only the few sessions that matter to it.
    init(record: SessionRecord, now: Millis, ttl: Double, checkingProcess: Bool = true) {
        self.record = record
        var gone = false
        if record.ended != nil {
            state = .ended
        } else if Double(now - record.seen) / 1000 > ttl {
            state = .stale
        } else if checkingProcess, let process = record.process, Self.isGone(process) {
            state = .stale
            gone = true
        } else {
            state = .live
        }
        processGone = gone
    }

    /// Only a process of this very boot of this machine, in this pid namespace, can be looked up; elsewhere (another
    /// machine, or a sandbox with a pid namespace of its own, where the agent's pid means nothing) the TTL decides.
    static func isGone(_ process: ProcessIdentity) -> Bool {
        guard let boot = Processes.bootID, process.boot == boot, let namespace = process.namespace,
              namespace == Processes.pidNamespace else { return false }
        return !Processes.isRunning(pid: process.pid, started: process.started)
    }

    /// Explicitly touched and changed files together, newest first, each path once.
    public var files: [(file: TouchedFile, changed: Bool)] {
        var newest: [String: (TouchedFile, Bool)] = [:]
        for file in record.touched where (newest[file.path]?.0.at ?? .min) < file.at {
            newest[file.path] = (file, false)
        }
        for file in record.changed {
            if let existing = newest[file.path] {
                newest[file.path] = (existing.0.at >= file.at ? existing.0 : file, true)
            } else {
                newest[file.path] = (file, true)
            }
        }
        return newest.values.sorted { ($0.0.at, $1.0.path) > ($1.0.at, $0.0.path) }.map { (file: $0.0, changed: $0.1) }
    }
}
