import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program in `directory` with posix_spawn and waitpid, stdin and stdout from and to files (or /dev/null).
///
/// Foundation's `Process.waitUntilExit` notices an exit only at its run loop's next turn, which puts a floor
/// of about 50 ms under every measurement; commands that take 5 to 15 ms need a direct wait to be told apart.
enum Spawn {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String],
                    stdin: String = "/dev/null", stdout: String = "/dev/null") -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // posix_spawn_file_actions_addchdir_np is not in Swift's Glibc module; the benchmark runs one
        // command at a time, so changing the process's own directory is safe.
        guard chdir(directory) == 0 else { fatalError("cannot enter \(directory)") }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { fatalError("cannot start \(executable)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }
}
