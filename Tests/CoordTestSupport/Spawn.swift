import Foundation

/// Starts a program with posix_spawn and waits for it with waitpid: the cheapest way to run a command, so that
/// a benchmark measures the command and not Foundation's Process (whose wait notices an exit only at its run
/// loop's next turn, a floor of about 50 ms). stdin and stdout come from and go to files (or /dev/null).
///
/// Returns the exit status (-1 when it could not start). The child inherits the working directory, so this moves
/// there and back (posix_spawn's chdir action is not visible from Swift here): it is for single-threaded callers
/// such as the benchmark.
@discardableResult
public func spawnQuietly(_ executable: String, _ arguments: [String], in directory: String,
                         environment: [String: String], stdin: String = "/dev/null", stdout: String = "/dev/null") -> Int32 {
    guard let pid = startQuietly(executable, arguments, in: directory, environment: environment, stdin: stdin, stdout: stdout)
    else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status >> 8) & 0xFF
}

/// `spawnQuietly` without the wait: starts the program and returns its pid (nil when it could not start); stderr
/// goes to /dev/null. The caller reaps it.
public func startQuietly(_ executable: String, _ arguments: [String], in directory: String,
                         environment: [String: String], stdin: String = "/dev/null", stdout: String = "/dev/null") -> pid_t? {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    let previous = FileManager.default.currentDirectoryPath
    guard chdir(directory) == 0 else { return nil }
    defer { _ = chdir(previous) }
    var pid = pid_t()
    guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { return nil }
    return pid
}
