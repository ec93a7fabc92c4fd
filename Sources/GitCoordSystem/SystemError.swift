#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: what was being done, to which path, and the errno it left. The one error type of this
/// layer (swift-system's `Errno` has the same manners); callers turn it into their own words.
public struct SystemError: Error, Equatable, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String?
    public let code: Int32

    public init(_ operation: String, path: String? = nil, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// What the system said, as `strerror` puts it ("No such file or directory").
    public var reason: String { String(cString: strerror(code)) }

    public var description: String { "cannot \(operation)\(path.map { " \($0)" } ?? ""): \(reason)" }

    public var isNotFound: Bool { code == ENOENT }
    public var exists: Bool { code == EEXIST }
}

/// Runs a system call until it is not interrupted by a signal (EINTR), and returns its result.
@inline(__always)
func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
