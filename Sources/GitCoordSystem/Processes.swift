import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Processes of this machine, as /proc tells them (Linux). A pid alone is reused; a pid with the start time the
/// kernel recorded for it (clock ticks since boot), on a machine with this boot id, names one process for good.
public enum Processes {
    /// This boot of this machine (/proc/sys/kernel/random/boot_id), nil where /proc does not say.
    public static let bootID: String? = {
        // Bytes, not Characters: a hook that lists agent sessions reads it, and String's filter cost 160,000
        // instructions (procfs says size 0, so Files.read would also zero a 64 KiB buffer for 37 bytes).
        guard let bytes = Files.readPrefix("/proc/sys/kernel/random/boot_id", limit: 128) else { return nil }
        let text = String(decoding: bytes.filter { $0 > UInt8(ascii: " ") }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }()

    /// The pid namespace this process sees (`pid:[4026531836]`), nil where /proc does not say. A pid means the same
    /// process only to processes of the same namespace: a sandbox (Codex's bubblewrap) has a namespace of its own.
    public static let pidNamespace: String? = {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/self/ns/pid", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(cString: buffer)
    }()

    public struct Info: Equatable, Sendable {
        public let pid: Int32
        public let parent: Int32
        /// The kernel's name for it (`comm`: the executable's name, at most 15 bytes).
        public let name: String
        /// When it started, in clock ticks since boot.
        public let started: UInt64
    }

    /// What /proc/<pid>/stat says, or nil when there is no such process (or it is a zombie: already dead).
    ///
    /// Every hook that lists sessions asks this once per agent session on this machine, so it reads the file into a
    /// small buffer and scans its bytes: a `String` split of the ~50 fields, and a read sized for a regular file
    /// (procfs reports size 0), cost ~300,000 instructions per process, about half of a hook among 20 agents.
    public static func info(_ pid: Int32) -> Info? {
        guard pid > 0 else { return nil }
        guard let looked else { return readInfo(pid) }
        if let remembered = looked.info(pid) { return remembered }
        let info = readInfo(pid)
        looked.remember(info, for: pid)
        return info
    }

    /// Within `body`, each process is read from /proc once: a hook lists the sessions several times in a few
    /// milliseconds (a prompt's, 45 lookups of 20 agents), and a process that exits meanwhile is seen by the next
    /// hook. Only `body` and what it calls, on this thread, remember; anything else (a long-lived process: the MCP
    /// server, `watch`, a waiting Stop hook) reads anew at every call.
    public static func lookingUpOnce<R>(_ body: () throws -> R) rethrows -> R {
        if looked != nil { return try body() }
        return try $looked.withValue(Looked(), operation: body)
    }

    /// What `lookingUpOnce` remembers while it runs: a few dozen processes, searched in order. (A Dictionary cost
    /// 270,000 instructions of type metadata at its first insertion, more than the lookups it saves.)
    final class Looked: Sendable {
        struct Table {
            var pids: [Int32] = []
            var infos: [Info?] = []
        }
        let table = Mutex(Table())

        func info(_ pid: Int32) -> Info?? {
            table.withLock { table in table.pids.firstIndex(of: pid).map { table.infos[$0] } }
        }

        func remember(_ info: Info?, for pid: Int32) {
            table.withLock { table in
                table.pids.append(pid)
                table.infos.append(info)
            }
        }
    }

    @TaskLocal private static var looked: Looked?

    private static func readInfo(_ pid: Int32) -> Info? {
        var buffer = [UInt8](repeating: 0, count: statLimit)
        let count = buffer.withUnsafeMutableBytes { bytes in
            "/proc/\(pid)/stat".withCString { path -> Int in
                let descriptor = retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
                guard descriptor >= 0 else { return -1 }
                defer { close(descriptor) }
                // One read: procfs hands over the whole line at once (a seq_file), and it is far below the limit.
                return retryingInterrupts { read(descriptor, bytes.baseAddress, bytes.count) }
            }
        }
        guard count > 0, count < statLimit else { return nil }
        buffer.removeLast(statLimit - count)
        return parseStat(buffer, pid: pid)
    }

    /// The longest /proc/<pid>/stat line: 52 fields of at most 20 digits, and a name of at most 64 bytes.
    static let statLimit = 2048

    /// A /proc/<pid>/stat line: "pid (comm) state ppid ... starttime(22) ...". comm may hold spaces and
    /// parentheses, so the fields are counted after the last ')'.
    public static func parseStat(_ line: [UInt8], pid: Int32) -> Info? {
        guard let open = line.firstIndex(of: UInt8(ascii: "(")), let close = line.lastIndex(of: UInt8(ascii: ")")),
              open < close else { return nil }
        // Fields after comm, by number: 0 state, 1 ppid, ..., 19 starttime.
        var field = -1, state: UInt8 = 0, parent: Int64 = 0, started: UInt64 = 0
        var index = close + 1, digits = 0
        while index < line.endIndex, field <= 19 {
            let byte = line[index]
            index += 1
            if byte == UInt8(ascii: " ") {
                if field == 1 || field == 19 { guard digits > 0 else { return nil } }
                field += 1
                digits = 0
                continue
            }
            switch field {
            case 0: state = byte
            case 1, 19:
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let value = UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if field == 1 {
                    parent = parent * 10 + Int64(value)
                    guard parent <= Int64(Int32.max) else { return nil }
                } else {
                    let (times, overflow) = started.multipliedReportingOverflow(by: 10)
                    guard !overflow, times <= UInt64.max - value else { return nil }
                    started = times + value
                }
            default: break
            }
        }
        guard field >= 19, digits > 0 || field > 19, state != UInt8(ascii: "Z"), state != UInt8(ascii: "X"), state != 0
        else { return nil }
        return Info(pid: pid, parent: Int32(parent), name: String(decoding: line[(open + 1)..<close], as: UTF8.self),
                    started: started)
    }

    /// Whether the process that had `pid` and started at `started` still runs.
    public static func isRunning(pid: Int32, started: UInt64) -> Bool { info(pid)?.started == started }

    /// The nearest ancestor of this process whose name is not in `passing` (shells and wrappers a command goes
    /// through: `sh -c`, `git coord`), nil when there is none below init.
    public static func nearestAncestor(passing: Set<String>) -> Info? {
        var pid = getppid()
        for _ in 0..<16 {
            guard pid > 1, let process = info(pid) else { return nil }
            if !passing.contains(process.name) { return process }
            pid = process.parent
        }
        return nil
    }
}
