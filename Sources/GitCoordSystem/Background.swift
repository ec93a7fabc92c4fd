#if canImport(Glibc)
import Glibc
#endif

/// Starting work that must not hold up the process that asks for it (a git hook, an agent's hook).
public enum Background {
    /// Starts `executable` with `arguments` and `environment` and returns at once, without waiting for it: in a
    /// session of its own (a terminal's Ctrl-C, or an agent killing its hook's process group, does not reach it),
    /// stdin, stdout and stderr on /dev/null (so that whoever reads our output does not wait for its end), every
    /// signal unblocked and at its default. Returns its pid, or nil when it could not be started.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String]) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | Self.spawnSetSID))

        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp) == 0 else { return nil }
        return pid
    }

    /// glibc's POSIX_SPAWN_SETSID (since 2.26), which Swift does not see: it is declared only under _GNU_SOURCE.
    private static let spawnSetSID: Int32 = 0x80

    /// The path of the running executable (`/proc/self/exe`), or nil when it cannot be read.
    public static var currentExecutable: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
