import Foundation

/// A real `git daemon` serving a folder of bare repositories on 127.0.0.1, push enabled, on a free port chosen
/// here. Started by the test, waited for until it accepts connections, and killed when released.
public final class GitDaemon: @unchecked Sendable {
    public let port: UInt16
    public let basePath: String
    private let process: Process

    public init(basePath: String, environment: [String: String]) throws {
        self.basePath = basePath
        var lastError: Error = ProcessFailure(command: "git daemon", result: ProcessResult(status: -1, stdout: "", stderr: "never started"))
        // The port is free when we ask; another process could take it before the daemon binds it, so retry.
        for _ in 0..<5 {
            let port = try Self.freePort()
            let process = Process()
            // The daemon itself, not the `git daemon` wrapper: a signal to the wrapper does not reliably end it.
            process.executableURL = URL(fileURLWithPath: Self.daemonPath)
            process.arguments = ["--enable=receive-pack", "--export-all", "--reuseaddr",
                                 "--base-path=\(basePath)", "--listen=127.0.0.1", "--port=\(port)", basePath]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if Self.waitUntilAccepting(port: port, while: process) {
                self.port = port
                self.process = process
                return
            }
            process.terminate()
            process.waitUntilExit()
            lastError = ProcessFailure(command: "git daemon --port=\(port)",
                                       result: ProcessResult(status: process.terminationStatus, stdout: "", stderr: "did not accept connections"))
        }
        throw lastError
    }

    deinit { stop() }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    static let daemonPath: String = {
        let execPath = (try? runProcess("/usr/bin/git", ["--exec-path"], in: "/", environment: [:]).output) ?? "/usr/lib/git-core"
        return execPath + "/git-daemon"
    }()

    /// The git:// URL of a repository under the base path.
    public func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    /// Asks the kernel for a free loopback port by binding port 0.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Polls with connect() for up to 10 s; false if the daemon exited or never listened.
    static func waitUntilAccepting(port: UInt16, while process: Process) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && process.isRunning {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return true }
            usleep(20_000)
        }
        return false
    }
}

/// Several clones of one bare remote, each a real repository made by the git CLI, for sync tests.
public final class CloneLab: @unchecked Sendable {
    public let scratch: Scratch
    /// The bare remote's folder (also served by `daemon` when there is one).
    public let remotePath: String
    public private(set) var daemon: GitDaemon?
    public private(set) var clones: [String] = []

    /// `overDaemon`: clones talk to the remote through a real `git daemon` on 127.0.0.1; else a file:// URL.
    public init(clones count: Int, overDaemon: Bool) throws {
        scratch = try Scratch()
        let base = scratch.root + "/served"
        remotePath = base + "/team.git"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try scratch.git("init", "-q", "--bare", "-b", "main", remotePath)
        if overDaemon { daemon = try GitDaemon(basePath: base, environment: scratch.environment) }
        try scratch.git("remote", "add", "origin", remoteURL)
        try scratch.git("push", "-q", "origin", "main")
        for index in 0..<count {
            let path = scratch.root + "/clone\(index)"
            try scratch.git("clone", "-q", remoteURL, path)
            clones.append(path)
        }
    }

    public var remoteURL: String { daemon.map { $0.url("team.git") } ?? "file://" + remotePath }

    /// Runs git in the bare remote itself (to inspect it, or to play the attacker who rewrites it).
    @discardableResult
    public func remoteGit(_ arguments: String...) throws -> String {
        let result = try runProcess("/usr/bin/git", arguments, in: remotePath, environment: scratch.environment)
        guard result.succeeded else { throw ProcessFailure(command: "git " + arguments.joined(separator: " "), result: result) }
        return result.output
    }

    /// `git for-each-ref` of refs/coord/v1 in a clone: "<id> <ref>" lines, in name order.
    public func coordRefs(in clone: String, under prefix: String = "refs/coord/v1/") throws -> [String] {
        try scratch.git("for-each-ref", "--format=%(objectname) %(refname)", prefix, in: clone)
            .split(separator: "\n").map(String.init)
    }
}
