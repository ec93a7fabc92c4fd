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
        let pid: pid_t
        do {
            pid = try Spawn.start(arguments[0], Array(arguments.dropFirst()), environment: environment, searchingPath: true,
                                  actions: &actions)
        } catch let error as SystemError {
            throw CoordError.system(what: "run \(arguments[0])", reason: error.reason)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        let exited = (status & 0x7f) == 0
        let exitCode = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitCode, stdout: try out.contents(), stderr: try err.contents())
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
