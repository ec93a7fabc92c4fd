import CoordTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with posix_spawn and waitpid, output to /dev/null, and fails loudly if it fails.
///
/// Foundation's `Process` on Linux notices a child's exit only on a ~50 ms tick, which swamps what the
/// claims benchmark measures (a few ms per hook); this measures what a shell or git would see.
func spawnAndWait(_ scratch: Scratch, _ executable: String, _ arguments: [String], in directory: String,
                  env extra: [String: String] = [:]) {
    var environment = scratch.environment
    environment.merge(extra) { $1 }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    // The child inherits the working directory: the benchmark is single-threaded, so move there and back.
    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(directory)
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard code == 0 else { fatalError("cannot start \(executable): \(String(cString: strerror(code)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    if status != 0 {
        fatalError("\(executable) \(arguments.joined(separator: " ")) in \(directory) failed with status \(status)")
    }
}


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
