#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on a file of our own (`flock`), with a few bytes of content saying what the holder does.
///
/// The kernel drops the lock when its holder exits, killed or not, so a lock of this kind is never left behind:
/// whether its holder lives is always known. (git's own `.lock` files are held by existing, so a killed git or
/// libgit2 leaves them in place, and nobody can tell a live holder from a dead one.)
public final class FileLock {
    public let path: String
    /// The open file the lock is on, for handing to a process that keeps holding it (`Background.start`).
    public let descriptor: Int32

    /// Opens (creating it if needed) the lock file; nothing is locked yet.
    public init(path: String) throws {
        self.path = path
        descriptor = retryingInterrupts { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        guard descriptor >= 0 else { throw SystemError("open the lock", path: path) }
    }

    deinit { close(descriptor) }

    /// Takes the lock if nobody holds it; false when another process does.
    public func tryLock() throws -> Bool {
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK || errno == EINTR { return false }
        throw SystemError("lock", path: path)
    }

    /// Waits for the lock as long as it takes.
    public func lock() throws {
        guard retryingInterrupts({ flock(descriptor, LOCK_EX) }) == 0 else { throw SystemError("lock", path: path) }
    }

    public func unlock() { flock(descriptor, LOCK_UN) }

    /// What the file holds (at most 4 KiB).
    public func contents() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { buffer in retryingInterrupts { pread(descriptor, buffer.baseAddress, buffer.count, 0) } }
        return count > 0 ? Array(bytes[0..<count]) : []
    }

    /// Replaces what the file holds (empty: clears it).
    public func setContents(_ bytes: [UInt8]) throws {
        if !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { buffer in retryingInterrupts { pwrite(descriptor, buffer.baseAddress, buffer.count, 0) } }
            guard count == bytes.count else { throw SystemError("write", path: path) }
        }
        guard ftruncate(descriptor, off_t(bytes.count)) == 0 else { throw SystemError("write", path: path) }
    }

    /// When the content last changed (by the kernel's clock, the one that stamps every file).
    public var modified: timespec? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? info.st_mtim : nil
    }
}
