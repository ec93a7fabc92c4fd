import CGitCoordProcess
#if canImport(Glibc)
import Glibc
#endif

/// Another process, as Linux's /proc shows it: its parent (`Processes.info`), its command line and its executable.
/// Read once, when asked; a process that is gone reads as nil.
public struct ProcessEntry: Sendable, Equatable {
    public let pid: Int32
    public let parent: Int32
    /// Its command line as it was started (argv), possibly empty for a kernel thread.
    public let arguments: [String]

    public init?(pid: Int32) {
        guard let info = Processes.info(pid) else { return nil }
        self.pid = pid
        parent = info.parent
        let line = (try? Files.read("/proc/\(pid)/cmdline", limit: 1 << 20)) ?? nil
        arguments = (line ?? []).split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            .dropLast(line?.last == 0 ? 1 : 0).map { $0 }
    }

    /// The last path component of argv[0] ("claude", "codex", "git").
    public var name: String {
        guard let first = arguments.first else { return "" }
        return String(first.split(separator: "/").last ?? Substring(first))
    }

    /// The file the process runs (readlink of /proc/PID/exe), when it can be read.
    public var executable: String? { Self.link("/proc/\(pid)/exe") }

    /// What the process's descriptor `fd` is: a path ("/dev/pts/3"), or "pipe:[...]", "socket:[...]".
    public func descriptorTarget(_ fd: Int32) -> String? { Self.link("/proc/\(pid)/fd/\(fd)") }

    /// This process's ancestors, nearest first, up to (not including) init.
    public static func ancestors(of pid: Int32 = getpid()) -> [ProcessEntry] {
        var chain: [ProcessEntry] = []
        var next = ProcessEntry(pid: pid)?.parent ?? 0
        while next > 1, chain.count < 64, let entry = ProcessEntry(pid: next) {
            chain.append(entry)
            next = entry.parent
        }
        return chain
    }

    static func link(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A descriptor that becomes readable (`POLLIN`) when a process exits, killed or not: a pidfd. Unlike a pid, it can
/// never come to mean another process.
public final class ProcessExit {
    public let descriptor: Int32

    /// nil when the process is gone already, or the kernel has no pidfds.
    public init?(pid: Int32) {
        descriptor = git_coord_pidfd_open(pid)
        if descriptor < 0 { return nil }
    }

    deinit { close(descriptor) }

    /// Whether the process has exited by now.
    public var hasExited: Bool { waitForEvents([(descriptor, Int16(POLLIN))], timeout: 0)[0] != 0 }
}

/// Makes the kernel send `signal` to this process when its parent exits; false when the parent changed meanwhile
/// (it exited while we asked).
public func exitWithParent(signal: Int32 = SIGTERM) -> Bool {
    let parent = getppid()
    guard git_coord_set_parent_death_signal(signal) == 0 else { return false }
    return getppid() == parent
}

/// Signals read from a descriptor instead of interrupting the program (signalfd): a `poll` loop sees them beside
/// its other descriptors, and nothing runs in a signal handler. The signals stay blocked while it exists.
public final class SignalDescriptor {
    public let descriptor: Int32

    public init(_ signals: [Int32]) throws {
        descriptor = signals.withUnsafeBufferPointer { git_coord_signal_descriptor($0.baseAddress, Int32($0.count)) }
        guard descriptor >= 0 else { throw SystemError("receive signals (signalfd)") }
    }

    deinit { close(descriptor) }

    /// The signals received since the last call, in order.
    public func read() -> [Int32] {
        var signals: [Int32] = []
        while case let signal = git_coord_read_signal(descriptor), signal > 0 { signals.append(signal) }
        return signals
    }
}
