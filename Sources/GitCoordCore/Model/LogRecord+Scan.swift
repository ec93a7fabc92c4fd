#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Log records read by `JSONScanner`: an inbox or a feed may read a thousand of them.
extension LogRecord: ScannableRecord {
    static let scannedKeys: [StaticString] = ["version", "kind", "from", "fromName", "branch", "to", "text", "clock", "seq", "at", "index"]

    static func scanned(_ data: Data) -> LogRecord? {
        try? JSONScanner.scan(data) { scanner in
            var version: Int64?, kind: Kind?, from: String?, fromName: String?, text: String?
            var branch: String?, to: String?, clock: Int64?, seq: Int64?, at: Int64?, index: LogIndex?
            try scanner.object(keys: scannedKeys) { scanner, key in
                switch key {
                case 0: version = try scanner.integer()
                case 1: kind = try scanner.value(Kind.self)
                case 2: from = try scanner.string()
                case 3: fromName = try scanner.string()
                case 4: branch = try scanner.optionalString()
                case 5: to = try scanner.optionalString()
                case 6: text = try scanner.string()
                case 7: clock = try scanner.integer()
                case 8: seq = try scanner.integer()
                case 9: at = try scanner.integer()
                default: index = scanner.null() ? nil : try LogIndex.scan(&scanner)
                }
            }
            guard let version, let versionInt = Int(exactly: version), let kind, let from, let fromName, let text,
                  let clock, let seq, let at else { throw JSONScanner.Unsupported() }
            var record = LogRecord(kind: kind, from: from, fromName: fromName, branch: branch, to: to, text: text,
                                   clock: clock, seq: seq, at: at, index: index)
            record.version = versionInt
            return record
        }
    }
}

extension LogIndex {
    static func scan(_ scanner: inout JSONScanner) throws -> LogIndex {
        var from: Int64?, note: Pointer?, to: [String: Pointer]?
        try scanner.object(keys: ["from", "note", "to"]) { scanner, key in
            switch key {
            case 0: from = try scanner.integer()
            case 1: note = scanner.null() ? nil : try Pointer.scan(&scanner)
            default:
                if scanner.null() { return }
                var pointers: [String: Pointer] = [:]
                try scanner.object { scanner, recipient in pointers[recipient] = try Pointer.scan(&scanner) }
                to = pointers
            }
        }
        guard let from else { throw JSONScanner.Unsupported() }
        return LogIndex(from: from, note: note, to: to)
    }
}

extension LogIndex.Pointer {
    static func scan(_ scanner: inout JSONScanner) throws -> LogIndex.Pointer {
        var seq: Int64?, blob: String?
        try scanner.object(keys: ["seq", "blob"]) { scanner, key in
            if key == 0 { seq = try scanner.integer() } else { blob = try scanner.string() }
        }
        guard let seq, let blob else { throw JSONScanner.Unsupported() }
        return LogIndex.Pointer(seq: seq, blob: blob)
    }
}
