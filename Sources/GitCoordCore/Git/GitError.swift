import CLibGit2

/// The one error type for anything libgit2 reports: its return code, its error class and its message,
/// read from `git_error_last()` right after the failing call (the error slot is thread-local).
public struct GitError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let errorClass: Int32
    public let message: String
    public let operation: String

    init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        if let last = git_error_last() {
            errorClass = last.pointee.klass
            message = last.pointee.message.map { String(cString: $0) } ?? "unknown error"
        } else {
            errorClass = 0
            message = "libgit2 returned \(code)"
        }
    }

    public var description: String { "\(operation): \(message)" }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// The reference moved under us (compare-and-swap lost) or is locked by another writer.
    public var isContention: Bool { code == GIT_EMODIFIED.rawValue || code == GIT_ELOCKED.rawValue }
    public var isLocked: Bool { code == GIT_ELOCKED.rawValue }
}

/// Turns a libgit2 return code into a thrown `GitError`.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
    if code < 0 { throw GitError(code: code, operation: operation()) }
}
