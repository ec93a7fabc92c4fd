#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The rules for the text of a note or a direct message, checked before anything is written.
///
/// Text is stored exactly as given (control characters and escape sequences included) and neutralised only
/// on display; what is refused is what cannot be text at all, or is too large to be a note.
public enum MessageText {
    /// At most this many bytes of UTF-8 per note or message.
    public static let maximumBytes = 16 * 1024

    /// Checks text given as a string (a command-line argument, an MCP call).
    public static func validated(_ text: String, what: String = "the note") throws -> String {
        let bytes = text.utf8.count
        if bytes > maximumBytes { throw CoordError.textTooLarge(what: what, bytes: bytes, limit: maximumBytes) }
        if text.unicodeScalars.contains("\u{0}") {
            throw CoordError.invalidText(what: "\(what) is binary", reason: "it holds NUL bytes; only text can be sent")
        }
        if text.allSatisfy(\.isWhitespace) {
            throw CoordError.invalidText(what: "\(what) is empty", reason: "there is nothing to send")
        }
        return text
    }

    /// Checks raw bytes (stdin): they must be valid UTF-8 text within the limit.
    public static func validated(bytes: Data, what: String = "the note") throws -> String {
        if bytes.count > maximumBytes { throw CoordError.textTooLarge(what: what, bytes: bytes.count, limit: maximumBytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CoordError.invalidText(what: "\(what) is not text", reason: "it is not valid UTF-8")
        }
        return try validated(text, what: what)
    }

    /// True when raw command-line bytes are valid UTF-8 (Swift repairs invalid arguments silently).
    public static func isValidUTF8(_ bytes: UnsafePointer<CChar>) -> Bool {
        let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: strlen(bytes))
        return String(validating: buffer, as: UTF8.self) != nil
    }
}
