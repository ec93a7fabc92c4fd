import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs a program to completion with posix_spawn (FoundationEssentials has no Process, and full Foundation would
/// slow every start of the binary). Output goes to unlinked temporary files, not pipes, so a chatty child can
/// never block on a full pipe while we wait for it.
struct Subprocess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var succeeded: Bool { status == 0 }
    }

    /// Runs `arguments[0]` (looked up on PATH), with `extraEnvironment` added to ours, in our own directory
    /// (callers pass `git -C DIR`). stdin is the caller's, so a credential prompt of the user's git still reaches them.
    static func run(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> Result {
        let out = try TemporaryFile()
        let err = try TemporaryFile()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out.descriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, err.descriptor, 2)

        var environment = Environment.all
        for (key, value) in extraEnvironment { environment[key] = value }
        let envStrings = environment.map { "\($0.key)=\($0.value)" }

        // git starts with no signal blocked and default handlers, whatever our parent left us with: a blocked
        // SIGTERM would make the git we start unstoppable.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid = pid_t()
        let code = withCStrings(arguments) { argv in
            withCStrings(envStrings) { envp in
                posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
            }
        }
        guard code == 0 else {
            throw CoordError.system(what: "run \(arguments[0])", reason: String(cString: strerror(code)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        let exited = (status & 0x7f) == 0
        let exitCode = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitCode, stdout: try out.contents(), stderr: try err.contents())
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

/// An anonymous temporary file: created and unlinked at once, read back when the child is done.
private final class TemporaryFile {
    let descriptor: Int32

    init() throws {
        var template = Array("/tmp/git-coord-XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw CoordError.system(what: "create a temporary file", reason: String(cString: strerror(errno))) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    deinit { close(descriptor) }

    func contents() throws -> String {
        lseek(descriptor, 0, SEEK_SET)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
