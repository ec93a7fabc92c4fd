import CGitCoordProcess
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn as every process git-coord starts needs it, waited for (`Subprocess`) or not (`Background.start`):
/// argv and envp made from Swift strings, and every signal unblocked and at its default in the child, whatever ours
/// are (a hook's thread may block SIGTERM, a process may ignore SIGPIPE: a git started with SIGTERM blocked could not
/// be stopped). The caller says what the child's descriptors are (`actions`).
public enum Spawn {
    /// Starts `executable` (looked up on PATH when `searchingPath`) with `arguments` and `environment`, argv[0] being
    /// `name` (the executable by default), in a session of its own when `newSession`; returns its pid.
    public static func start(_ executable: String, _ arguments: [String], name: String? = nil,
                             environment: [String: String], searchingPath: Bool = false, newSession: Bool = false,
                             actions: inout posix_spawn_file_actions_t) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var every = sigset_t()
        sigfillset(&every)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &every)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? setSID : 0)))

        let argv: [UnsafeMutablePointer<CChar>?] = ([name ?? executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        // posix_spawn returns its error (it sets no errno), and glibc's is not interrupted by signals.
        let result = searchingPath ? posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
                                   : posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SystemError("start", path: executable, code: result) }
        return pid
    }

    /// glibc's POSIX_SPAWN_SETSID (since 2.26), which Swift does not see: it is declared only under _GNU_SOURCE.
    private static let setSID: Int32 = 0x80
}
