import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keeping a shared remote current with nobody running `git coord sync`: every hook (git's and the agents') asks
/// whether a sync is due, and if so starts one in a detached process and returns at once. See docs/design.md,
/// "Background sync".
///
/// - At most one attempt per `coord.syncInterval` (default 1m, `0` off), whatever its outcome: the time of the last
///   attempt is the modification time of `.git/coord/sync-attempt`, so when none is due a hook pays one `stat`.
/// - Never two syncs at once: the hook takes `.git/coord-sync.lock` without waiting (a sync running holds it) and
///   hands it to the child, which keeps it until it exits.
/// - Never in the way: the child has its own session (no terminal, no signals from the agent's or git's process
///   group), /dev/null for stdio, no prompts, and is killed with its git processes after `timeout` seconds.
/// - Quiet: offline is normal and says nothing. What needs a person (the remote refused or deleted our refs, a log
///   forked, credentials were refused) is kept in `.git/coord/sync-problem` for the next surface to show, once; a
///   refusal, a deletion or a credentials failure also pauses background sync (`.git/coord/sync-paused`) until a
///   manual `git coord sync` succeeds, so a remote that will never keep our refs is not asked again every minute.
public struct BackgroundSync {
    public static let intervalKey = "coord.syncInterval"
    public static let defaultInterval: Double = 60
    /// A background sync still running after this long is stopped, git processes included.
    public static let timeout: UInt32 = 120
    /// The descriptor the child finds the held lock on.
    public static let lockDescriptor = Background.passedDescriptor

    let coordination: Coordination
    var folder: String { coordination.repository.commonDir + "/coord" }
    var attemptFile: String { folder + "/sync-attempt" }
    var pausedFile: String { folder + "/sync-paused" }
    var problemFile: String { folder + "/sync-problem" }
    /// The last problem shown, so that one that persists is shown once, not after every attempt.
    var shownFile: String { folder + "/sync-problem.shown" }

    public init(_ coordination: Coordination) { self.coordination = coordination }

    /// The interval, or nil when background sync is off: `coord.syncInterval` is 0, or no remote is shared.
    /// A value that is not a duration is a warning and counts as the default, as for every setting hooks read.
    public var interval: Double? {
        var warnings: [String] = []
        let seconds = coordination.repository.durationSetting(Self.intervalKey, or: Self.defaultInterval, example: "1m",
                                                              warnings: &warnings)
        warnings.forEach(coordination.warn)
        guard seconds > 0, coordination.sharing.isShared(with: coordination.sharing.defaultRemote) else { return nil }
        return seconds
    }

    // MARK: In the hook

    /// Starts a detached sync if one is due; returns at once in every case, and never fails.
    public func startIfDue(now: Double = Date().timeIntervalSince1970) {
        guard let interval, isDue(interval: interval, now: now), access(pausedFile, F_OK) != 0 else { return }
        // Closed when this returns: the child keeps its own copy of the open file, and with it the lock.
        guard let lock = try? FileLock(path: coordination.repository.commonDir + "/coord-sync.lock"),
              (try? lock.tryLock()) == true else { return }  // a sync is running: it will do
        guard markAttempt() else { return }
        spawnChild(lock: lock)
    }

    func isDue(interval: Double, now: Double) -> Bool {
        guard let modified = Files.status(attemptFile)?.modified else { return true }
        let last = Double(modified.tv_sec) + Double(modified.tv_nsec) / 1e9
        // A clock set back makes the last attempt look like the future: count that as due too.
        return now - last >= interval || last - now > interval
    }

    /// Sets the attempt time to now, creating `.git/coord/` if needed.
    func markAttempt() -> Bool {
        try? Files.makeDirectories(folder)
        let descriptor = open(attemptFile, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return futimens(descriptor, nil) == 0
    }

    /// `git-coord hook background-sync PATH`, detached (`Background.start`), the lock on fd 3. Not started (the
    /// system refused) is the same as offline: the next attempt is after the interval.
    func spawnChild(lock: FileLock) {
        let path = coordination.repository.workdir ?? coordination.repository.commonDir
        // The hook's git (GIT_DIR, GIT_INDEX_FILE, ...) is not the child's: it opens PATH and runs git -C there.
        var environment = Environment.withoutGitRepository
        // Nobody is there to answer a prompt: fail instead (credential helpers still answer, they do not prompt).
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ASKPASS"] = "false"
        environment["SSH_ASKPASS_REQUIRE"] = "never"
        // /proc/self/exe rather than its path: it still runs when the binary was replaced since this one started.
        _ = try? Background.start("/proc/self/exe", ["hook", "background-sync", path], environment: environment,
                                  passing: lock.descriptor, name: "git-coord")
    }

    // MARK: In the child

    /// The child's whole life: sync under the handed-over lock, then record what needs a person. `describe` turns
    /// a report into the lines a person should read (the command layer's wording).
    public static func runChild(at path: String, describe: (SyncReport) -> [String]) {
        // The lock is the one descriptor it was given (`Background.start` closed the rest), and ours alone: a git
        // it starts may leave something running (an ssh ControlPersist master) that must not hold it after we exit.
        _ = fcntl(lockDescriptor, F_SETFD, FD_CLOEXEC)
        // The watchdog: this process leads its own process group, so the group is it and the gits it started.
        signal(SIGALRM) { _ in kill(0, SIGKILL) }
        alarm(timeout)
        guard let coordination = try? Coordination(at: path) else { return }
        let background = BackgroundSync(coordination)
        let remote = coordination.sharing.defaultRemote
        do {
            let engine = try SyncEngine(coordination, remote: remote, unattended: true)
            let report = try engine.run(holding: SyncLock(adopting: lockDescriptor))
            // A lease lost three times is other clones being busy, not the remote refusing us.
            let refusals = report.refused.filter { !$0.reason.hasPrefix(SyncEngine.busyReason) }
            var lines = describe(report)
            if !refusals.isEmpty {
                lines += [
                    "hint: '\(remote)' does not accept git-coord's refs (refs/coord/*): ask whoever runs it to allow them,",
                    "hint: or stop sharing with 'git coord init --uninstall --remote \(remote)'.",
                    "hint: Background sync is paused until 'git coord sync' succeeds.",
                ]
                background.pause(because: "'\(remote)' refused refs/coord")
            } else if !report.deletedOnRemote.isEmpty {
                // Pushing them again would only have them deleted again, every interval.
                lines.append("hint: Background sync is paused until 'git coord sync' succeeds.")
                background.pause(because: "'\(remote)' deleted refs/coord refs")
            }
            background.record(lines)
        } catch CoordError.remoteFailed(let name, let action, let detail) where needsPerson(detail) {
            background.record([
                "error: background sync could not \(action) '\(name)': \(detail)",
                "hint: background sync is paused; fix access to '\(name)' (credentials, URL), then run 'git coord sync'",
            ])
            background.pause(because: "could not \(action) '\(name)': \(detail)")
        } catch {
            // Offline, or sharing was turned off meanwhile: normal, and nothing to say.
        }
    }

    /// A fetch or push that failed for a reason a person must fix, unlike being offline (which fixes itself).
    static func needsPerson(_ detail: String) -> Bool {
        let signs = ["Authentication failed", "could not read Username", "could not read Password", "returned error: 401",
                     "returned error: 403", "Permission denied", "Host key verification failed", "not found",
                     "does not appear to be a git repository", "does not exist"]
        return signs.contains { detail.contains($0) }
    }

    // MARK: State for people

    /// Keeps `lines` for the next surface, unless they are what was shown last; no lines clears both.
    func record(_ lines: [String]) {
        guard !lines.isEmpty else {
            try? Files.remove(problemFile)
            try? Files.remove(shownFile)
            return
        }
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        guard (try? Files.read(shownFile, limit: 1 << 16)) != text else { return }
        write(text, to: problemFile)
    }

    func pause(because reason: String) { write(Array((reason + "\n").utf8), to: pausedFile) }

    /// What the last background sync left for a person, handed to exactly one caller (a rename claims it).
    public func takeProblem() -> [String] {
        guard (try? Files.rename(problemFile, to: shownFile)) != nil,
              let bytes = try? Files.read(shownFile, limit: 1 << 16) else { return [] }
        return String(decoding: bytes ?? [], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// After a manual sync that went through: background sync may run again, and old problems are void.
    public func resume() {
        for file in [pausedFile, problemFile, shownFile] { try? Files.remove(file) }
    }

    private func write(_ bytes: [UInt8], to path: String) {
        try? Files.makeDirectories(folder)
        // Derived state, nothing to lose: no fsync.
        try? Files.writeAtomically(path, bytes, durable: false)
    }
}

extension SharingService {
    /// For every hook: start a background sync if one is due (see `BackgroundSync`). Never fails, never waits.
    public func syncInBackgroundIfDue() { BackgroundSync(coordination).startIfDue() }

    /// The problem the background sync left for a person, once (empty when there is none).
    public func takeBackgroundSyncProblem() -> [String] { BackgroundSync(coordination).takeProblem() }
}
