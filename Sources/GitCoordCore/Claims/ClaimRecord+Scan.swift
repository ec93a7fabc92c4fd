#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Claim records read by `JSONScanner`: a commit of a hundred claimed files reads a hundred of them in its hook.
extension ClaimRecord: ScannableRecord {
    static let scannedKeys: [StaticString] = [
        "version", "pattern", "kind", "session", "name", "reason", "claimed", "renewed", "expires", "released",
        "takenFrom", "overrode",
    ]

    static func scanned(_ data: Data) -> ClaimRecord? {
        try? JSONScanner.scan(data) { scanner in
            var version: Int64?, pattern: String?, kind: ClaimKind?, session: String?, name: String?, reason: String?
            var claimed: Int64?, renewed: Int64?, expires: Int64?, released: Int64?
            var takenFrom: Takeover.Victim?, overrode: [Takeover.Victim]?
            try scanner.object(keys: scannedKeys) { scanner, key in
                switch key {
                case 0: version = try scanner.integer()
                case 1: pattern = try scanner.string()
                case 2: kind = try scanner.value(ClaimKind.self)
                case 3: session = try scanner.string()
                case 4: name = try scanner.string()
                case 5: reason = try scanner.optionalString()
                case 6: claimed = try scanner.integer()
                case 7: renewed = try scanner.integer()
                case 8: expires = try scanner.integer()
                case 9: released = try scanner.optionalInteger()
                case 10: takenFrom = scanner.null() ? nil : try Takeover.Victim.scan(&scanner)
                default:
                    if scanner.null() { return }
                    var victims: [Takeover.Victim] = []
                    try scanner.array { victims.append(try Takeover.Victim.scan(&$0)) }
                    overrode = victims
                }
            }
            guard let version, let versionInt = Int(exactly: version), let pattern, let kind, let session, let name,
                  let claimed, let renewed, let expires else { throw JSONScanner.Unsupported() }
            var record = ClaimRecord(pattern: pattern, kind: kind, session: session, name: name, reason: reason,
                                     claimed: claimed, renewed: renewed, expires: expires, released: released,
                                     takenFrom: takenFrom, overrode: overrode)
            record.version = versionInt
            return record
        }
    }
}

extension Takeover.Victim {
    static func scan(_ scanner: inout JSONScanner) throws -> Takeover.Victim {
        var session: String?, name: String?, pattern: String?, state: ClaimState?, at: Int64?, told: Bool?
        try scanner.object(keys: ["session", "name", "pattern", "state", "at", "told"]) { scanner, key in
            switch key {
            case 0: session = try scanner.string()
            case 1: name = try scanner.string()
            case 2: pattern = try scanner.string()
            case 3: state = try scanner.value(ClaimState.self)
            case 4: at = try scanner.integer()
            default: told = scanner.null() ? nil : try scanner.boolean()
            }
        }
        guard let session, let name, let pattern, let state, let at else { throw JSONScanner.Unsupported() }
        return Takeover.Victim(session: session, name: name, pattern: pattern, state: state, at: at, told: told)
    }
}
