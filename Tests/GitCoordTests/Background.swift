import CoordTestSupport
import Foundation

/// A git-coord process started without waiting for it, which a test may kill: for killed writers and races.
/// It runs through `sh -c 'cd DIR && exec ...'` (posix_spawn cannot change directory from here, and this test
/// process must not), so its pid is git-coord's own once started. Output goes to files.
final class Background {
    let pid: pid_t
    private let out: String
    private let err: String

    init(_ arguments: [String], in directory: String, environment: [String: String], executable: String = coordBinary) throws {
        let base = NSTemporaryDirectory() + "coord-bg-\(UUID().uuidString)"
        out = base + ".out"
        err = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = (["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard code == 0 else { throw CocoaError(.executableLoad) }
        self.pid = pid
    }

    func kill() { _ = Foundation.kill(pid, SIGKILL) }

    /// Waits for it; `killed` when a signal ended it.
    @discardableResult
    func wait() -> (result: ProcessResult, killed: Bool) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let killed = (status & 0x7f) != 0
        let result = ProcessResult(status: killed ? 128 + (status & 0x7f) : (status >> 8) & 0xff,
                                   stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                                   stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        try? FileManager.default.removeItem(atPath: out)
        try? FileManager.default.removeItem(atPath: err)
        return (result, killed)
    }

    /// Whether it has exited (without reaping it).
    var isRunning: Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == 0
    }
}

/// Seconds since some fixed moment, on a clock that does not jump.
func monotonic() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
