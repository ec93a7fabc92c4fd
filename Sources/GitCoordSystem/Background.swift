import CGitCoordProcess
#if canImport(Glibc)
import Glibc
#endif

/// Starting work that must not hold up the process that asks for it (a git hook, an agent's hook): the one way
/// git-coord starts a process it does not wait for (the background sync, the packer).
public enum Background {
    /// Where a started process finds the descriptor it was handed (`start(..., passing:)`).
    public static let passedDescriptor: Int32 = 3

    /// Starts `executable` with `arguments` and `environment` and returns its pid at once, without waiting for it:
    ///
    /// - in a session of its own: no controlling terminal, and a terminal's Ctrl-C, or an agent killing its hook's
    ///   process group, does not reach it;
    /// - stdin, stdout and stderr on /dev/null, and every other descriptor of ours closed, except `descriptor`,
    ///   which it finds as `passedDescriptor` (a lock it keeps holding): whoever reads our output, or a pipe we
    ///   inherited, sees its end when we exit, not when it does;
    /// - every signal unblocked and at its default (one ignored here, SIGCHLD or SIGPIPE, is not ignored there).
    ///
    /// `name` is its argv[0] (what `ps` shows), the executable's path by default. Nobody reaps it unless the caller
    /// does (`reap`); a process that exits soon after leaves it to init.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String],
                             passing descriptor: Int32? = nil, name: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The descriptor first: it may be one of 0...2 (a hook started with stdin closed), which /dev/null replaces.
        // dup2 onto itself (it is already 3) clears its close-on-exec flag, as POSIX asks.
        var failure = descriptor.map { posix_spawn_file_actions_adddup2(&actions, $0, passedDescriptor) } ?? 0
        for (target, flags) in [(Int32(0), O_RDONLY), (1, O_WRONLY), (2, O_WRONLY)] where failure == 0 {
            failure = posix_spawn_file_actions_addopen(&actions, target, "/dev/null", flags, 0)
        }
        if failure == 0 { failure = git_coord_spawn_close_from(&actions, descriptor == nil ? 3 : passedDescriptor + 1) }
        guard failure == 0 else { throw SystemError("start", path: executable, code: failure) }

        return try Spawn.start(executable, arguments, name: name, environment: environment, newSession: true,
                               actions: &actions)
    }

    /// Waits for a process this one started to exit, so that it leaves no zombie behind.
    public static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        _ = retryingInterrupts { waitpid(pid, &status, 0) }
    }

    /// Reaps `pid` on a thread of its own once it exits, for a caller that may live on (the MCP server, `sync
    /// --watch`); one that exits first leaves it to init. The thread blocks every signal, so that a signal meant for
    /// the process (read from a signalfd by a thread that blocks it) is never delivered to it instead.
    public static func reapWhenDone(_ pid: pid_t) {
        var every = sigset_t()
        sigfillset(&every)
        var previous = sigset_t()
        pthread_sigmask(SIG_SETMASK, &every, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            Background.reap(pid_t(truncatingIfNeeded: Int(bitPattern: argument)))
            return nil
        }, UnsafeMutableRawPointer(bitPattern: Int(pid)))
        if started == 0 { pthread_detach(thread) }
    }

    /// The path of the running executable (`/proc/self/exe`), or nil when it cannot be read.
    public static var currentExecutable: String? { ProcessEntry.link("/proc/self/exe") }

    /// Another executable of git-coord's (`git-coord`, `git-coord-mcp`): next to the running one (as `make install`
    /// and SwiftPM put them), else the first on PATH; nil when there is none.
    public static func companion(_ name: String) -> String? {
        let beside = currentExecutable.map { String($0[..<($0.lastIndex(of: "/") ?? $0.startIndex)]) + "/" + name }
        let onPath = (Environment["PATH"] ?? "").split(separator: ":").map { $0 + "/" + name }
        return ([beside].compactMap { $0 } + onPath).first { access($0, X_OK) == 0 }
    }
}
