import CLibGit2
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// Who may own a ref's `.lock`, so that a lock left by a killed writer blocks nobody.
///
/// libgit2 takes `<ref>.lock` (created exclusively, renamed over the ref) inside every ref update and delete. A
/// process killed in between leaves it, and every later update of that ref fails with GIT_ELOCKED. By itself a
/// `.lock` file says nothing of its owner. So every git-coord process holds a side lock while it may own a ref
/// lock: an `flock` on one of 64 files in `<common dir>/coord/locks/` (chosen by the ref name), which the kernel
/// drops when the process dies, holding a marker (`<pid> <ref>\n`) that it clears when libgit2 returns:
///
/// - a process that takes a side lock and finds a marker knows its writer died in the middle; a `<ref>.lock` of
///   the marked ref modified at or after the marker was written is that writer's, and is removed at once;
/// - a `<ref>.lock` met while holding the ref's side lock is not a live git-coord process's. Its owner is a git
///   command (`git pack-refs` locks refs while it packs them) or unknown, so the old rule holds: ref locks are
///   held for microseconds, and one older than `staleAge` is removed.
final class RefLocks {
    static let bucketCount = 64
    /// A lock whose owner cannot be known is taken to be dead once this old.
    static let staleAge: Double = 30

    let commonDir: String
    private var open: [Int: FileLock] = [:]

    init(commonDir: String) { self.commonDir = commonDir }

    var directory: String { commonDir + "/coord/locks" }

    func lockPath(of ref: String) -> String { commonDir + "/" + ref + ".lock" }

    /// FNV-1a of the ref name: stable across processes (Swift's Hasher is seeded per process).
    static func bucket(of ref: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in ref.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(bucketCount))
    }

    static func bucketName(_ bucket: Int) -> String {
        let hex = String(bucket, radix: 16)
        return hex.count == 1 ? "0" + hex : hex
    }

    private func sideLock(_ bucket: Int) throws -> FileLock {
        if let lock = open[bucket] { return lock }
        let path = directory + "/" + Self.bucketName(bucket)
        let lock: FileLock
        do {
            lock = try FileLock(path: path)
        } catch let error as SystemError where error.isNotFound {
            try Files.makeDirectories(directory)
            lock = try FileLock(path: path)
        }
        open[bucket] = lock
        return lock
    }

    /// Runs `body`, a libgit2 call that may take `<ref>.lock`, while this process holds the ref's side lock with a
    /// marker naming the ref; returns its libgit2 code. GIT_ELOCKED comes back only for a lock no live git-coord
    /// process owns and that is younger than `staleAge`. Waits at most until `deadline` for another git-coord
    /// process to finish with the side lock (it holds it for one libgit2 call), then returns GIT_ELOCKED.
    func whileWriting(_ ref: String, until deadline: Double, _ body: () -> Int32) throws -> Int32 {
        let lock: FileLock
        do {
            lock = try sideLock(Self.bucket(of: ref))
        } catch {
            // No side lock to be had (a read-only .git): nothing to recover either; libgit2 reports what it meets.
            return body()
        }
        var pause: UInt32 = 100
        while try !lock.tryLock() {
            if monotonicSeconds() > deadline { return GIT_ELOCKED.rawValue }
            usleep(pause)
            pause = min(pause * 2, 5_000)
        }
        defer { lock.unlock() }
        recoverFromDeadWriter(lock)
        do { try lock.setContents(Array("\(getpid()) \(ref)\n".utf8)) } catch { return body() }
        defer { try? lock.setContents([]) }
        var code = body()
        if code == GIT_ELOCKED.rawValue, removeIfStale(lockPath(of: ref)) { code = body() }
        return code
    }

    /// A marker left in a side lock we now hold: its writer was killed while it might own `<ref>.lock`. A lock
    /// of that ref created at or after the marker is its; an older one belongs to someone else and is left to
    /// the age rule.
    private func recoverFromDeadWriter(_ lock: FileLock) {
        guard let ref = Self.markedRef(lock.contents()), let marked = lock.modified else { return }
        let path = lockPath(of: ref)
        if let status = Files.status(path), status.modified >= marked { try? Files.remove(path) }
        try? lock.setContents([])
    }

    /// The ref a marker names, if it names one under refs/coord/ (never anything else: the marker is a file
    /// anyone could write, and it must not make us remove another lock).
    static func markedRef(_ marker: [UInt8]) -> String? {
        let text = String(decoding: marker, as: UTF8.self)
        guard text.hasSuffix("\n"), let space = text.firstIndex(of: " ") else { return nil }
        let ref = String(text[text.index(after: space)...].dropLast())
        guard ref.hasPrefix(RefLayout.root), !ref.contains(".."), !ref.contains("\n") else { return nil }
        return ref
    }

    /// The age rule, for locks whose owner cannot be known.
    func removeIfStale(_ path: String) -> Bool {
        guard let status = Files.status(path), status.age > Self.staleAge else { return false }
        return (try? Files.remove(path)) != nil
    }

    // MARK: For doctor

    public enum LockState: Equatable {
        /// Its git-coord writer was killed while holding it.
        case deadWriter
        /// Older than `staleAge`, owner unknown.
        case old(seconds: Int)
        /// Young, and maybe in use.
        case inUse
    }

    /// What is known of the owner of `<ref>.lock` (which exists), with the ref's side lock taken for a moment.
    func state(ofLockOn ref: String) -> LockState {
        let path = lockPath(of: ref)
        guard let status = Files.status(path) else { return .inUse }
        if let lock = try? sideLock(Self.bucket(of: ref)), (try? lock.tryLock()) == true {
            defer { lock.unlock() }
            if Self.markedRef(lock.contents()) == ref, let marked = lock.modified, status.modified >= marked {
                return .deadWriter
            }
        }
        return status.age > Self.staleAge ? .old(seconds: Int(status.age)) : .inUse
    }
}

/// Seconds on a clock that never jumps (deadlines must not move with the wall clock).
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
