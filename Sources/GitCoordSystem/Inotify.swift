#if canImport(Glibc)
import Glibc
#endif

/// The kernel's file-change notifications (inotify(7)), one instance per watcher: folders are added by path, and
/// what happened in them is read as events. The descriptor is non-blocking, for `poll` beside other descriptors:
/// a process waiting on it sleeps in the kernel and costs nothing until something changes.
public final class Inotify {
    public let descriptor: Int32

    /// One change: the watched folder it happened in (`watch`), the name of the entry in it ("" for the folder
    /// itself), and what happened (`IN_*` bits).
    public struct Event: Sendable, Equatable {
        public let watch: Int32
        public let mask: UInt32
        public let name: String

        public var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
        /// The folder itself is gone (deleted or moved away): the kernel has dropped its watch.
        public var watchEnded: Bool { mask & UInt32(IN_IGNORED) != 0 }
        /// The kernel's queue overflowed: events were lost, and everything must be looked at again.
        public var overflowed: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
    }

    public init() throws {
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw SystemError("start watching files (inotify)") }
    }

    deinit { close(descriptor) }

    /// Starts watching `path` for `mask`; nil when it does not exist (or is not a folder with `IN_ONLYDIR`).
    public func add(_ path: String, mask: UInt32) throws -> Int32? {
        let watch = inotify_add_watch(descriptor, path, mask)
        if watch >= 0 { return watch }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw SystemError("watch", path: path)
    }

    public func remove(_ watch: Int32) { inotify_rm_watch(descriptor, watch) }

    /// Every event queued now, without waiting (none when nothing happened since the last read).
    public func read() throws -> [Event] {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in
                retryingInterrupts { Glibc.read(descriptor, bytes.baseAddress, bytes.count) }
            }
            if count < 0 {
                if errno == EAGAIN { return events }
                throw SystemError("read file changes (inotify)")
            }
            if count == 0 { return events }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let (watch, mask, length) = buffer.withUnsafeBytes { bytes -> (Int32, UInt32, Int) in
                    let raw = bytes.baseAddress! + offset
                    return (raw.loadUnaligned(fromByteOffset: 0, as: Int32.self),
                            raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
                            Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
                }
                let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                events.append(Event(watch: watch, mask: mask, name: name))
                offset += header + length
            }
        }
    }
}

/// Waits until one of `descriptors` is ready, or `timeout` seconds passed (nil: as long as it takes). Returns the
/// `revents` of each, in order (all zero on a timeout). A signal interrupting the wait returns early, all zero.
public func waitForEvents(_ descriptors: [(fd: Int32, events: Int16)], timeout: Double?) -> [Int16] {
    var fds = descriptors.map { pollfd(fd: $0.fd, events: $0.events, revents: 0) }
    let milliseconds = timeout.map { Int32(max(0, min($0 * 1000, Double(Int32.max)))) } ?? -1
    let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
    if ready <= 0 { return descriptors.map { _ in 0 } }
    return fds.map(\.revents)
}
