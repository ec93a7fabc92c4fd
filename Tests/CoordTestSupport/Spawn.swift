import Foundation

/// Starts a program with posix_spawn, output to /dev/null, and waits for it: the cheapest way to run a
/// command, so that a benchmark measures the command and not Foundation's Process machinery.
/// Returns the exit status. The child inherits the working directory, so this moves there and back (posix_spawn's
/// chdir action is not visible from Swift here): it is for single-threaded callers such as the benchmark.
public func spawnQuietly(_ executable: String, _ arguments: [String], in directory: String,
                         environment: [String: String]) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let previous = FileManager.default.currentDirectoryPath
    guard chdir(directory) == 0 else { return -1 }
    defer { _ = chdir(previous) }

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid = pid_t()
    guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status >> 8) & 0xFF
}
