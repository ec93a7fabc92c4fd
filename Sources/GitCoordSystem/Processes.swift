#if canImport(Glibc)
import Glibc
#endif

/// Processes of this machine, as /proc tells them (Linux). A pid alone is reused; a pid with the start time the
/// kernel recorded for it (clock ticks since boot), on a machine with this boot id, names one process for good.
public enum Processes {
    /// This boot of this machine (/proc/sys/kernel/random/boot_id), nil where /proc does not say.
    public static let bootID: String? = {
        guard let bytes = try? Files.read("/proc/sys/kernel/random/boot_id", limit: 128) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
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
    public static func info(_ pid: Int32) -> Info? {
        guard pid > 0, let bytes = try? Files.read("/proc/\(pid)/stat", limit: 4096) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // "pid (comm) state ppid ... starttime(22) ...": comm may hold spaces and parentheses, so split after the last ')'.
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X", let parent = Int32(fields[1]),
              let started = UInt64(fields[19]) else { return nil }
        return Info(pid: pid, parent: parent, name: String(text[text.index(after: open)..<close]), started: started)
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
