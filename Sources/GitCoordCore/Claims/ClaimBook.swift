#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads claim records, decoding each record commit once per process: commits never change, so a record read
/// before a write is still good when the claims are listed again after it.
final class ClaimBook {
    private var decoded: [ObjectID: ClaimRecord?] = [:]

    /// Every readable claim under refs/coord/v1/claims/, each with its state as of `now`. A record that does
    /// not parse, or does not belong at its ref (its pattern hashes elsewhere), is skipped with a warning.
    func claims(in coordination: Coordination, sessions: [String: Session], now: Millis,
                under prefix: String = RefLayout.claims) throws -> [Claim] {
        try coordination.store.heads(under: prefix).compactMap { ref, commit, payload in
            claim(at: ref, commit: commit, payload: { try payload.get() }, in: coordination, sessions: sessions, now: now)
        }
    }

    /// Every claim that could overlap one of `patterns` (and more: the caller matches): the pattern claims, and
    /// for files the claims of the same path and of each folder above it, found by ref name; a directory or a
    /// pattern can overlap any file or directory claim, so then those are listed too. See docs/design.md, "Overlap".
    func claims(thatMayOverlap patterns: [ClaimPattern], in coordination: Coordination, sessions: [String: Session],
                now: Millis) throws -> [Claim] {
        var found = try claims(in: coordination, sessions: sessions, now: now, under: RefLayout.patternClaims)
        if patterns.contains(where: { $0.kind != .file }) {
            return found + (try claims(in: coordination, sessions: sessions, now: now, under: RefLayout.pathClaims))
        }
        var looked: Set<String> = []
        for pattern in patterns {
            for key in Self.selfAndFolders(of: pattern.text) where looked.insert(key).inserted {
                if let claim = try claim(on: ClaimPattern(text: key, kind: .file), in: coordination, sessions: sessions, now: now) {
                    found.append(claim)
                }
            }
        }
        return found
    }

    /// A path, each folder above it, and the whole repository (""): the claims that can cover it by name.
    static func selfAndFolders(of path: String) -> [String] {
        var keys = [path]
        // By bytes: a commit asks this for every staged path, and Character-wise search is many times slower.
        let bytes = path.utf8
        var end = bytes.endIndex
        while let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) {
            keys.append(String(path[..<slash]))
            end = slash
        }
        if !path.isEmpty { keys.append("") }
        return keys
    }

    /// The claim on exactly `pattern`, found by its ref name without listing any other, or nil.
    func claim(on pattern: ClaimPattern, in coordination: Coordination, sessions: [String: Session], now: Millis) throws -> Claim? {
        let ref = pattern.refName
        guard let commit = try coordination.store.target(of: ref) else { return nil }
        return claim(at: ref, commit: commit, in: coordination, sessions: sessions, now: now)
    }

    /// The claim recorded in `commit` at `ref`; `payload` gives the record when the caller has it already.
    func claim(at ref: String, commit: ObjectID, payload: (() throws -> Data)? = nil, in coordination: Coordination,
               sessions: [String: Session], now: Millis) -> Claim? {
        let record: ClaimRecord?
        if let known = decoded[commit] {
            record = known
        } else {
            do {
                let store = coordination.store
                record = try payload.map { try store.decode(ClaimRecordKind.self, try $0(), at: ref, commit: commit) }
                    ?? store.read(ClaimRecordKind.self, commit: commit, at: ref)
            } catch {
                coordination.warn("skipping \(ref): \(Coordination.describe(error))")
                record = nil
            }
            decoded[commit] = .some(record)
        }
        guard let record else { return nil }
        return Claim(ref: ref, commit: commit, record: record, holder: sessions[record.session], now: now)
    }
}
