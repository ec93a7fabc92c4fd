#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads claim records, decoding each record commit once per process: commits never change, so a record read
/// before a write is still good when the claims are listed again after it.
final class ClaimBook {
    private var decoded: [ObjectID: ClaimRecord?] = [:]
    private let decoder = JSONDecoder()

    /// Every readable claim under refs/coord/v1/claims/, each with its state as of `now`. A record that does
    /// not parse, or does not belong at its ref (its pattern hashes elsewhere), is skipped with a warning.
    func claims(in coordination: Coordination, sessions: [String: Session], now: Millis) throws -> [Claim] {
        var claims: [Claim] = []
        for (ref, commit) in try coordination.store.refs(under: RefLayout.claims) {
            let record: ClaimRecord?
            if let known = decoded[commit] {
                record = known
            } else {
                do {
                    let parsed = try decoder.decode(ClaimRecord.self, from: try coordination.store.payload(of: commit))
                    record = parsed.claimPattern.refName == ref ? parsed : nil
                    if record == nil { coordination.warn("skipping \(ref): its record does not match its ref name") }
                } catch {
                    coordination.warn("skipping \(ref): \(Coordination.describe(error))")
                    record = nil
                }
                decoded[commit] = .some(record)
            }
            guard let record else { continue }
            claims.append(Claim(ref: ref, commit: commit, record: record, holder: sessions[record.session], now: now))
        }
        return claims
    }
}
