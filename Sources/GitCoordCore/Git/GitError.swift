import CLibGit2
#if canImport(Glibc)
import Glibc
#endif

/// The one error type for anything libgit2 reports: its return code, its error class and its message,
/// read from `git_error_last()` right after the failing call (the error slot is thread-local).
public struct GitError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let errorClass: Int32
    public let message: String
    public let operation: String
    /// The system's error number when libgit2 failed in a system call (its error class is then OS), else 0.
    public let systemError: Int32

    init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        let number = errno
        if let last = git_error_last() {
            errorClass = last.pointee.klass
            message = last.pointee.message.map { String(cString: $0) } ?? "unknown error"
        } else {
            errorClass = 0
            message = "libgit2 returned \(code)"
        }
        systemError = errorClass == GIT_ERROR_OS.rawValue ? number : 0
    }

    /// The repository could not be written because its file system, or a sandbox around this process, is read-only.
    public var isReadOnly: Bool { systemError == EROFS || message.hasSuffix("Read-only file system") }

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
