#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The path claims a check of many paths found (a commit of many files, `git coord check` of many paths), kept for
/// the next such check: `.git/coord/cache/coord-v1-claims-checked`, in the head cache's format (see docs/design.md,
/// "Reading many records: the head cache").
///
/// Claims are found by ref name, one lookup per path, so no listing keeps their payloads in a head cache; read from
/// objects, each costs three inflates (its commit, tree and blob), most of the time of a commit whose hundred files
/// are claimed. A record commit never changes, so a payload kept by its commit id is never stale: a claim that was
/// renewed or taken since is a new commit, read from objects and added. Derived data: a missing or damaged file is an
/// empty cache, and a failure to write it is silent.
struct ClaimCheckCache {
    /// Below this many paths, reading their few claims from objects costs less than loading the file.
    static let minimumPaths = 16
    /// At most this many records (about 50 KiB) are kept, so that loading the file stays cheap beside what it saves.
    static let maximumRecords = 256
    static let fileName = "coord-v1-claims-checked"

    private var cache: HeadCache
    private var found: [ObjectID: Data] = [:]
    private var readFromObjects = false

    init(commonDir: String) {
        cache = HeadCache(commonDir: commonDir, file: Self.fileName)
    }

    /// The payload of the claim record in `commit`: from the file when it holds it, else from the object database
    /// (nil when it cannot be read there: the caller reads it again, and says why).
    mutating func payload(of commit: ObjectID, in store: RecordStore) -> Data? {
        if let known = cache.payload(of: commit) {
            found[commit] = known
            return known
        }
        guard case .success(let payload) = store.read(commit).payload else { return nil }
        found[commit] = payload
        readFromObjects = true
        return payload
    }

    /// Adds what this check read from objects to the file, with the records it held before while they fit; writes
    /// nothing when every record came from the file.
    mutating func save() {
        guard readFromObjects, found.count <= Self.maximumRecords else { return }
        let kept = cache.entries.merging(found) { old, _ in old }
        cache.save(kept.count <= Self.maximumRecords ? kept : found)
    }
}
