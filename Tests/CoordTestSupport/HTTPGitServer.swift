import Foundation

/// git's smart HTTP served by a real web server: lighttpd from Debian's packages (scripts/test-deps.sh installs it)
/// running `git http-backend` as CGI on 127.0.0.1, behind basic authentication. Pushes are allowed (http-backend
/// enables receive-pack for authenticated users). Started by the test and stopped when released.
public final class HTTPGitServer: @unchecked Sendable {
    public let port: UInt16
    public let basePath: String
    public let user = "coord"
    public let password = "s3cret-pass"
    /// lighttpd's config and logs.
    public let folder: String
    private var process: Process?

    public static let lighttpd = "/usr/sbin/lighttpd"

    public init(basePath: String, folder: String) throws {
        self.basePath = basePath
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "\(user):\(password)\n".write(toFile: folder + "/users", atomically: true, encoding: .utf8)
        let backend = try runProcess("/usr/bin/git", ["--exec-path"], in: "/", environment: [:]).output + "/git-http-backend"
        var lastError: Error = ProcessFailure(command: "lighttpd", result: ProcessResult(status: -1, stdout: "", stderr: "never started"))
        // The port is free when asked for; another process could take it first, so try a few.
        for _ in 0..<5 {
            let port = try GitDaemon.freePort()
            let config = """
                server.document-root = "\(basePath)"
                server.bind = "127.0.0.1"
                server.port = \(port)
                server.errorlog = "\(folder)/error.log"
                server.modules = ("mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi", "mod_accesslog")
                accesslog.filename = "\(folder)/access.log"
                alias.url = ("/git/" => "\(backend)/")
                $HTTP["url"] =~ "^/git/" {
                    cgi.assign = ("" => "")
                    setenv.set-environment = ("GIT_PROJECT_ROOT" => "\(basePath)", "GIT_HTTP_EXPORT_ALL" => "1")
                    auth.backend = "plain"
                    auth.backend.plain.userfile = "\(folder)/users"
                    auth.require = ("" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))
                }
                """
            try config.write(toFile: folder + "/lighttpd.conf", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.lighttpd)
            process.arguments = ["-D", "-f", folder + "/lighttpd.conf"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if GitDaemon.waitUntilAccepting(port: port, while: process) {
                self.port = port
                self.process = process
                return
            }
            process.terminate()
            process.waitUntilExit()
            lastError = ProcessFailure(command: "lighttpd on port \(port)", result: ProcessResult(
                status: process.terminationStatus, stdout: "", stderr: (try? String(contentsOfFile: folder + "/error.log", encoding: .utf8)) ?? ""))
        }
        throw lastError
    }

    deinit { stop() }

    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The URL of a repository under the base path, without credentials (those come from a credential helper).
    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/git/\(name)" }

    /// Stores the credentials where `git credential-store` reads them, and makes it the helper, in `home`'s global
    /// config: every git run with that HOME authenticates as a user whose helper knows the password would.
    public func storeCredentials(home: String) throws {
        try "http://\(user):\(password)@127.0.0.1:\(port)\n".write(toFile: home + "/.git-credentials", atomically: true, encoding: .utf8)
        _ = try runProcess("/usr/bin/git", ["config", "--global", "credential.helper", "store"], in: home,
                           environment: ["HOME": home, "GIT_CONFIG_NOSYSTEM": "1"])
    }
}

/// Several clones of one bare repository served over smart HTTP with basic authentication; each clone's git finds
/// the password through `credential.helper store` in the scratch HOME.
public final class HTTPCloneLab: @unchecked Sendable {
    public let scratch: Scratch
    public let remotePath: String
    public let server: HTTPGitServer
    public private(set) var clones: [String] = []

    public init(clones count: Int) throws {
        scratch = try Scratch()
        let base = scratch.root + "/served"
        remotePath = base + "/team.git"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try scratch.git("init", "-q", "--bare", "-b", "main", remotePath)
        server = try HTTPGitServer(basePath: base, folder: scratch.root + "/lighttpd")
        try server.storeCredentials(home: scratch.root)
        try scratch.git("remote", "add", "origin", server.url("team.git"))
        try scratch.git("push", "-q", "origin", "main")
        for index in 0..<count {
            let path = scratch.root + "/clone\(index)"
            try scratch.git("clone", "-q", server.url("team.git"), path)
            clones.append(path)
        }
    }

    @discardableResult
    public func remoteGit(_ arguments: String...) throws -> String {
        let result = try runProcess("/usr/bin/git", arguments, in: remotePath, environment: scratch.environment)
        guard result.succeeded else { throw ProcessFailure(command: "git " + arguments.joined(separator: " "), result: result) }
        return result.output
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections and never answers: a remote that hangs. Counts the
/// connections it accepted; closing it (or releasing it) drops them all, which ends whatever waited on them.
public final class BlackHoleServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []
    private var closed = false

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        var address = GitDaemon.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { Glibc.close(fd); throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                lock.lock()
                if closed { Glibc.close(connection) } else { accepted.append(connection) }
                lock.unlock()
            }
        }
        thread.start()
    }

    deinit { close() }

    /// How many connections were made so far.
    public var connections: Int {
        lock.lock()
        defer { lock.unlock() }
        return accepted.count
    }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        for connection in accepted { Glibc.close(connection) }
    }
}
