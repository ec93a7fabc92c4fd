#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and writes, the way git does them: a reader sees a whole file or none, never half of one.
///
/// Every call retries on EINTR and reports failure as a `SystemError` naming the path.
public enum Files {
    // MARK: Reading

    /// The whole file, or nil when it does not exist. Over `limit` bytes is an error (EFBIG), read no further.
    public static func read(_ path: String, limit: Int) throws -> [UInt8]? {
        let fd = retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemError("read", path: path)
        }
        defer { close(fd) }
        var info = stat()
        let expected = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        guard expected <= limit else { throw SystemError("read", path: path, code: EFBIG) }
        // Sized by fstat (one read for the whole file), and grown if the file grows while we read it.
        var bytes = [UInt8](repeating: 0, count: expected + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard filled <= limit else { throw SystemError("read", path: path, code: EFBIG) }
                bytes += [UInt8](repeating: 0, count: max(65_536, filled))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                retryingInterrupts { Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled) }
            }
            if count < 0 { throw SystemError("read", path: path) }
            if count == 0 { break }
            filled += count
        }
        guard filled <= limit else { throw SystemError("read", path: path, code: EFBIG) }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// The first `limit` bytes of a file (all of a shorter one), or nil when it does not exist or cannot be read.
    public static func readPrefix(_ path: String, limit: Int) -> [UInt8]? {
        let fd = retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let count = bytes.withUnsafeMutableBytes { buffer in
                retryingInterrupts { Glibc.read(fd, buffer.baseAddress! + filled, limit - filled) }
            }
            if count < 0 { return nil }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes[0..<filled])
    }

    /// Reads `fd` to its end, keeping the first `limit` bytes; the rest (up to `drainAtMost`) is read and dropped,
    /// so that the process writing into a pipe never meets a broken pipe.
    static func readToEnd(_ fd: Int32, keeping limit: Int, what: String, drainAtMost: Int = 1 << 30) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var total = 0
        while total < drainAtMost {
            let count = chunk.withUnsafeMutableBytes { buffer in retryingInterrupts { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            if count < 0 { throw SystemError("read", path: what) }
            if count == 0 { break }
            total += count
            if bytes.count < limit {
                bytes.append(contentsOf: chunk[0..<min(count, limit - bytes.count)])
            }
        }
        return bytes
    }

    // MARK: Writing

    /// Replaces `path` with `bytes` atomically: written to a temporary file beside it, flushed to disk when
    /// `durable` (`fsync`, as git does for the files it cannot rebuild), then renamed over it. A reader sees the
    /// old file or the new one. `mode` nil keeps the mode of the file replaced (0644 for a new one).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t? = nil, durable: Bool = true) throws {
        var info = stat()
        let mode = mode ?? (stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644)
        let temporary = path + ".git-coord-\(getpid()).tmp"
        var fd = retryingInterrupts { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        if fd < 0 && errno == EEXIST {  // left by a killed process that had our pid
            unlink(temporary)
            fd = retryingInterrupts { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        }
        guard fd >= 0 else { throw SystemError("write", path: path) }
        do {
            try writeAll(fd, bytes, path: path)
            // The umask may have taken bits away (an executable hook must stay executable).
            guard fchmod(fd, mode) == 0 else { throw SystemError("set the mode of", path: path) }
            if durable { guard retryingInterrupts({ fsync(fd) }) == 0 else { throw SystemError("flush", path: path) } }
            guard close(fd) == 0 else { fd = -1; throw SystemError("write", path: path) }
            fd = -1
            try rename(temporary, to: path)
        } catch {
            if fd >= 0 { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// Replaces `path` with `bytes` unless another process is replacing it right now (then returns false: its
    /// bytes are as good). For files that are derived data, like git's commit-graph: no fsync.
    ///
    /// `<path>.lock` is the file written and renamed into place, held with `flock` while it is written, so a lock
    /// left by a killed writer is simply taken by the next one: the kernel dropped the dead writer's flock.
    @discardableResult
    public static func replaceUnlessBusy(_ path: String, _ bytes: [UInt8]) throws -> Bool {
        let lockPath = path + ".lock"
        let fd = retryingInterrupts { open(lockPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw SystemError("write", path: path) }
        defer { close(fd) }  // also drops the flock
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { return false }
            throw SystemError("lock", path: lockPath)
        }
        // The file we locked may have been renamed into place by the writer before us, after we opened it.
        var opened = stat()
        var named = stat()
        guard fstat(fd, &opened) == 0, stat(lockPath, &named) == 0,
              opened.st_dev == named.st_dev, opened.st_ino == named.st_ino else { return false }
        guard ftruncate(fd, 0) == 0 else { throw SystemError("write", path: lockPath) }
        try writeAll(fd, bytes, path: lockPath)
        try rename(lockPath, to: path)
        return true
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                retryingInterrupts { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            guard count > 0 else { throw SystemError("write", path: path, code: count == 0 ? EIO : errno) }
            offset += count
        }
    }

    /// Appends `count` bytes to `path` (creating it) and returns its size after that: a counter that any number of
    /// processes can add to at once (`O_APPEND` moves to the end and writes in one step), read by its size.
    public static func append(_ path: String, count: Int) throws -> Int {
        let fd = retryingInterrupts { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw SystemError("write", path: path) }
        defer { close(fd) }
        try writeAll(fd, [UInt8](repeating: UInt8(ascii: "."), count: count), path: path)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError("read the size of", path: path) }
        return Int(info.st_size)
    }

    /// Appends `bytes` to `path` (created with `mode` when absent) in one write: lines appended by several
    /// processes at once do not interleave.
    public static func append(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        let fd = retryingInterrupts { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw SystemError("write", path: path) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
    }

    /// Creates `path` only if it does not exist (`O_EXCL`); false when it does.
    public static func createExclusively(_ path: String, mode: mode_t = 0o600) throws -> Bool {
        let fd = retryingInterrupts { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        if fd < 0 {
            if errno == EEXIST { return false }
            throw SystemError("create", path: path)
        }
        close(fd)
        return true
    }

    // MARK: Names

    public static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw SystemError("rename \(from) to", path: to) }
    }

    /// Removes a file; one that is not there is not an error.
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw SystemError("remove", path: path) }
    }

    /// Creates a folder and any missing parents; one that exists is not an error.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw SystemError("create the folder", path: path)
        }
        try makeDirectories(String(path[..<slash]), mode: mode)
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw SystemError("create the folder", path: path) }
    }

    /// The names in a folder (without "." and ".."), or nil when it cannot be read.
    public static func list(_ directory: String) -> [String]? {
        guard let listing = opendir(directory) else { return nil }
        defer { closedir(listing) }
        var names: [String] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    // MARK: Status

    public struct Status: Sendable {
        public let modified: timespec
        public let isDirectory: Bool
        public let device: UInt64
        public let inode: UInt64
        /// Seconds since the last modification, by the wall clock.
        public var age: Double {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return Double(now.tv_sec - modified.tv_sec) + Double(now.tv_nsec - modified.tv_nsec) / 1e9
        }
    }

    /// Whether something is at `path` (a cheap check: no file is opened).
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// What `stat` says of `path`, or nil when there is nothing there.
    public static func status(_ path: String) -> Status? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Status(modified: info.st_mtim, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR,
                      device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

/// Whether `a` is not earlier than `b`.
public func >= (a: timespec, b: timespec) -> Bool {
    a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec >= b.tv_nsec
}
