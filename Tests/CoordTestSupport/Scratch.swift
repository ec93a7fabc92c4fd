import Foundation

/// What a finished process left behind.
public struct ProcessResult: CustomStringConvertible, Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    public var succeeded: Bool { status == 0 }
    /// stdout without its final newline.
    public var output: String { stdout.hasSuffix("\n") ? String(stdout.dropLast()) : stdout }
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

public struct ProcessFailure: Error, CustomStringConvertible {
    public let command: String
    public let result: ProcessResult
    public var description: String { "\(command) failed: \(result)" }
}

/// Runs a program to completion. Output goes through files, not pipes, so a chatty child can never block.
public func runProcess(_ executable: String, _ arguments: [String], in directory: String,
                       environment: [String: String], stdin: Data? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = environment
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("coord-out-\(UUID().uuidString)")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("coord-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// A scratch folder holding a real repository made by the real git CLI, removed when released.
///
/// HOME points inside it, so neither git nor libgit2 reads the user's global config.
public final class Scratch: @unchecked Sendable {
    public let root: String
    /// The main worktree of the repository.
    public let repo: String

    public init(commit: Bool = true) throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("git-coord-test-XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else { throw CocoaError(.fileWriteUnknown) }
        root = URL(fileURLWithPath: buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }).resolvingSymlinksInPath().path
        repo = root + "/repo"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
        if commit {
            try write("README.md", "hello\n")
            try git("add", "README.md")
            try git("commit", "-q", "-m", "initial")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        env["HOME"] = root
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_AUTHOR_NAME"] = "Test"
        env["GIT_AUTHOR_EMAIL"] = "test@example.com"
        env["GIT_COMMITTER_NAME"] = "Test"
        env["GIT_COMMITTER_EMAIL"] = "test@example.com"
        env["PATH"] = URL(fileURLWithPath: coordBinary).deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        return env
    }

    /// Runs the real git CLI; throws when it fails.
    @discardableResult
    public func git(_ arguments: String..., in directory: String? = nil) throws -> String {
        let result = try runProcess("/usr/bin/git", arguments, in: directory ?? repo, environment: environment)
        guard result.succeeded else { throw ProcessFailure(command: "git " + arguments.joined(separator: " "), result: result) }
        return result.output
    }

    /// Runs the real git-coord binary and returns whatever happened.
    @discardableResult
    public func coord(_ arguments: [String], in directory: String? = nil, env extra: [String: String] = [:],
                      stdin: Data? = nil) throws -> ProcessResult {
        var env = environment
        env.merge(extra) { $1 }
        return try runProcess(coordBinary, arguments, in: directory ?? repo, environment: env, stdin: stdin)
    }

    /// Runs git-coord and throws unless it exits 0; returns its stdout without the final newline.
    @discardableResult
    public func coordOK(_ arguments: String..., in directory: String? = nil, env: [String: String] = [:]) throws -> String {
        let result = try coord(arguments, in: directory, env: env)
        guard result.succeeded else { throw ProcessFailure(command: "git-coord " + arguments.joined(separator: " "), result: result) }
        return result.output
    }

    /// Adds a linked worktree on a new branch, next to the main one, and returns its path.
    @discardableResult
    public func addWorktree(_ name: String, branch: String? = nil) throws -> String {
        let path = root + "/" + name
        try git("worktree", "add", "-q", "-b", branch ?? name, path)
        return path
    }

    public func write(_ relativePath: String, _ text: String, in directory: String? = nil) throws {
        let url = URL(fileURLWithPath: (directory ?? repo) + "/" + relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// The git-coord binary under test: $GIT_COORD_BIN, else the one SwiftPM built next to the running test bundle.
public let coordBinary: String = {
    if let explicit = ProcessInfo.processInfo.environment["GIT_COORD_BIN"] { return explicit }
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // The test runner may be inside a bundle folder (name.xctest/...): walk up to the build products folder.
    for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("git-coord").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    return "git-coord"
}()
