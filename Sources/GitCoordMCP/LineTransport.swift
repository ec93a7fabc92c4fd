import Foundation
import Logging
import MCP

#if canImport(Glibc)
import Glibc
#endif

/// The stdio transport: one JSON-RPC message per line on stdin and stdout.
///
/// The SDK's own `StdioTransport` reads stdin non-blocking and sleeps 10 ms after each empty read, so every request
/// to an idle server waited up to 10 ms before it was even read. Here a thread blocks in `read(2)`, and a request is
/// handed to the server the moment it arrives; an idle server costs nothing.
///
/// Each message also passes through `ClientCompatibility`, which smooths over what real clients send that the SDK
/// cannot decode.
public actor LineTransport: Transport {
    public nonisolated let logger: Logger
    private let messages: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var reader: Thread?
    private let requests: RequestCount

    public init(logger: Logger) {
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream.makeStream()
        requests = RequestCount(continuation)
    }

    public func connect() async throws {
        guard reader == nil else { return }
        let continuation = self.continuation
        let requests = self.requests
        let thread = Thread {
            Self.readLines(from: 0) { line in
                if RequestCount.isRequest(line) { requests.received() }
                continuation.yield(ClientCompatibility.normalized(line))
            }
            // A client that writes its requests and closes stdin still gets every answer: the stream ends (and
            // with it the server) once they are sent, or after a grace period.
            requests.endOfInput()
        }
        thread.name = "git-coord-mcp stdin"
        thread.start()
        reader = thread
    }

    public func disconnect() async { continuation.finish() }

    public func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        bytes.append(UInt8(ascii: "\n"))
        try Self.writeAll(bytes, to: 1)
        if RequestCount.isResponse(data) { requests.answered() }
    }

    public func receive() -> AsyncThrowingStream<Data, Swift.Error> { messages }

    /// Reads `fd` until end of file, calling `deliver` with each non-empty line (without its newline).
    static func readLines(from fd: Int32, _ deliver: (Data) -> Void) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: chunk[0..<count])
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if newline > start { deliver(Data(pending[start..<newline])) }
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { deliver(Data(pending)) }
    }

    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)) }
            offset += written
        }
    }
}

/// How many requests wait for an answer, so that end of input ends the stream only once they are answered.
final class RequestCount: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting = 0
    private var inputEnded = false
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation

    init(_ continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation) { self.continuation = continuation }

    func received() { lock.withLock { waiting += 1 } }

    func answered() {
        let done = lock.withLock { () -> Bool in
            waiting = max(0, waiting - 1)
            return inputEnded && waiting == 0
        }
        if done { continuation.finish() }
    }

    func endOfInput() {
        let done = lock.withLock { () -> Bool in
            inputEnded = true
            return waiting == 0
        }
        if done { continuation.finish(); return }
        let continuation = self.continuation
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { continuation.finish() }
    }

    /// A JSON-RPC request: it has a method and an id (a notification has no id, a response no method).
    static func isRequest(_ message: Data) -> Bool {
        guard let object = (try? JSONSerialization.jsonObject(with: message)) as? [String: Any] else { return false }
        return object["method"] != nil && object["id"] != nil
    }

    static func isResponse(_ message: Data) -> Bool {
        guard let object = (try? JSONSerialization.jsonObject(with: message)) as? [String: Any] else { return false }
        return object["id"] != nil && (object["result"] != nil || object["error"] != nil)
    }
}

/// What real MCP clients send that the SDK (0.12.1) cannot decode, made decodable without losing anything git-coord
/// uses. The spec lets `capabilities.experimental` map names to objects, and Codex CLI 0.163.0 sends
/// `{"codex/auth-change": {}}`; the SDK decodes it as `[String: String]`, fails, answers -32603, and Codex silently
/// drops the server. git-coord offers no experimental features, so the client's list is dropped before decoding.
enum ClientCompatibility {
    static func normalized(_ message: Data) -> Data {
        // Only initialize carries client capabilities; every other message passes untouched, unparsed.
        guard message.range(of: Data("\"initialize\"".utf8)) != nil,
              var object = (try? JSONSerialization.jsonObject(with: message)) as? [String: Any],
              object["method"] as? String == "initialize",
              var params = object["params"] as? [String: Any],
              var capabilities = params["capabilities"] as? [String: Any],
              let experimental = capabilities["experimental"], !(experimental is [String: String]) else { return message }
        capabilities["experimental"] = nil
        params["capabilities"] = capabilities
        object["params"] = params
        return (try? JSONSerialization.data(withJSONObject: object)) ?? message
    }
}
