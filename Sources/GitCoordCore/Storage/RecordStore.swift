import CLibGit2
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The storage layer: records kept as commits on refs, one record per commit.
///
/// A record is a commit whose tree holds one blob, `record.json`, and whose parent is the ref's previous record,
/// so every ref is an append-only chain that fast-forwards (and pushes) cleanly. Refs change only by
/// compare-and-swap (`git_reference_create_matching` with the expected old id), retried with backoff when another
/// writer got there first. Nothing here touches a branch, the index or a work tree.
public final class RecordStore {
    public static let payloadName = "record.json"

    let repository: Repository
    private var repo: OpaquePointer { repository.pointer }

    public init(repository: Repository) { self.repository = repository }

    // MARK: Reading

    /// The commit a ref points at, or nil when the ref does not exist.
    public func target(of ref: String) throws -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, repo, ref)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "read \(ref)")
        return ObjectID(oid)
    }

    /// Every ref below `prefix` (which ends in "/"), with its target, in name order.
    public func refs(under prefix: String) throws -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, repo, prefix + "*"), "list \(prefix)")
        defer { git_reference_iterator_free(iterator) }
        var found: [(String, ObjectID)] = []
        var ref: OpaquePointer?
        while git_reference_next(&ref, iterator) == 0 {
            defer { git_reference_free(ref) }
            // A symbolic ref under refs/coord was not written by us: skip it.
            guard let oid = git_reference_target(ref) else { continue }
            found.append((String(cString: git_reference_name(ref)), ObjectID(oid.pointee)))
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// Every ref below `prefix` with its head record's payload (or why it cannot be read), in name order.
    /// Payloads come from the folder's head cache when the head is known there; the cache is brought up to date.
    public func heads(under prefix: String) throws -> [(name: String, target: ObjectID, payload: Result<Data, Error>)] {
        var cache = HeadCache(commonDir: repository.commonDir, folder: prefix)
        var readable: [ObjectID: Data] = [:]
        let heads = try refs(under: prefix).map { name, target in
            let read = Result { try cache.payload(of: target) ?? self.payload(of: target) }
            if case .success(let data) = read { readable[target] = data }
            return (name, target, read)
        }
        cache.save(readable)
        return heads
    }

    /// The payload of the record stored in `commit`.
    public func payload(of commit: ObjectID) throws -> Data {
        try record(at: commit).payload
    }

    /// The payload of the record in `commit` and its first parent, with one commit lookup.
    public func record(at commit: ObjectID) throws -> (payload: Data, parent: ObjectID?) {
        var commitOid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, repo, &commitOid), "read record \(commit)")
        defer { git_commit_free(commitObject) }
        let parent = git_commit_parentcount(commitObject) > 0 ? git_commit_parent_id(commitObject, 0).map { ObjectID($0.pointee) } : nil
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitObject), "read record tree \(commit)")
        defer { git_tree_free(tree) }
        guard let entry = git_tree_entry_byname(tree, Self.payloadName) else {
            throw CoordError.git("record \(commit) has no \(Self.payloadName)")
        }
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, repo, git_tree_entry_id(entry)), "read record blob \(commit)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size <= Self.maximumPayload else {
            throw CoordError.git("record \(commit) is \(size) bytes, over the \(Self.maximumPayload)-byte limit")
        }
        return (Data(bytes: git_blob_rawcontent(blob), count: size), parent)
    }

    /// Payloads above this are refused on read: a remote can write anything.
    public static let maximumPayload = 1 << 20

    /// The parents of a record commit (none for the first record of a chain).
    public func parents(of commit: ObjectID) throws -> [ObjectID] {
        var commitOid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, repo, &commitOid), "read record \(commit)")
        defer { git_commit_free(commitObject) }
        return (0..<git_commit_parentcount(commitObject)).compactMap { index in
            git_commit_parent_id(commitObject, index).map { ObjectID($0.pointee) }
        }
    }

    // MARK: Writing

    /// The id of this clone (`coord.cloneId`), stamped on every record commit so that sync knows which refs this
    /// clone owns and can reject records that only pretend to come from it. Nil: not stamped. See Sync/CloneIdentity.
    public var cloneStamp: (() -> String?)?

    /// Writes a record commit (blob, tree, commit) without moving any ref.
    public func writeRecord(_ payload: Data, parent: ObjectID?, message: String, time: Date = Date()) throws -> ObjectID {
        try writeRecord(payload, parents: parent.map { [$0] } ?? [], message: message, time: time)
    }

    /// Writes a record commit with any number of parents (two for the merge that settles a forked claim or
    /// presence chain during sync), without moving any ref.
    public func writeRecord(_ payload: Data, parents parentIDs: [ObjectID], message: String, time: Date = Date()) throws -> ObjectID {
        let message = CloneIdentity.stamped(message, clone: cloneStamp?())
        var blobOid = git_oid()
        try payload.withUnsafeBytes { bytes in
            try check(git_blob_create_from_buffer(&blobOid, repo, bytes.baseAddress, bytes.count), "write record blob")
        }
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, repo, nil), "build record tree")
        defer { git_treebuilder_free(builder) }
        try check(git_treebuilder_insert(nil, builder, Self.payloadName, &blobOid, GIT_FILEMODE_BLOB), "build record tree")
        var treeOid = git_oid()
        try check(git_treebuilder_write(&treeOid, builder), "write record tree")
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, repo, &treeOid), "read record tree")
        defer { git_tree_free(tree) }

        // A fixed identity: records are not the user's commits, and need no user.name to be written.
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&signature, "git-coord", "git-coord@localhost", git_time_t(time.timeIntervalSince1970), 0),
                  "make signature")
        defer { git_signature_free(signature) }

        var parents: [OpaquePointer?] = []
        defer { for parent in parents { git_commit_free(parent) } }
        for parentID in parentIDs {
            var parentOid = parentID.raw
            var parentCommit: OpaquePointer?
            try check(git_commit_lookup(&parentCommit, repo, &parentOid), "read parent record")
            parents.append(parentCommit)
        }

        var commitOid = git_oid()
        try parents.withUnsafeMutableBufferPointer { buffer in
            try check(git_commit_create(&commitOid, repo, nil, signature, signature, nil, message, tree,
                                        buffer.count, buffer.baseAddress),
                      "write record commit")
        }
        return ObjectID(commitOid)
    }

    /// Points `ref` at `commit` if, and only if, it still points at `expected` (nil: if it does not exist yet).
    /// Throws a `GitError` whose `isContention` is true when another writer moved or holds the ref.
    public func compareAndSwap(_ ref: String, to commit: ObjectID, expecting expected: ObjectID?, message: String) throws {
        var newOid = commit.raw
        // Never force=0 without an expected id: libgit2 1.5.1 ignores force=0 for shared refs in linked worktrees.
        var expectedOid = (expected ?? .zero).raw
        var out: OpaquePointer?
        try check(git_reference_create_matching(&out, repo, ref, &newOid, 1, &expectedOid, message), "update \(ref)")
        git_reference_free(out)
    }

    /// Deletes `ref` if it still points at `expected`.
    public func delete(_ ref: String, expecting expected: ObjectID) throws {
        var reference: OpaquePointer?
        let code = git_reference_lookup(&reference, repo, ref)
        if code == GIT_ENOTFOUND.rawValue { return }
        try check(code, "read \(ref)")
        defer { git_reference_free(reference) }
        guard let target = git_reference_target(reference), ObjectID(target.pointee) == expected else {
            throw GitError(code: GIT_EMODIFIED.rawValue, operation: "delete \(ref)")
        }
        try check(git_reference_delete(reference), "delete \(ref)")
    }

    public enum UpdateOutcome: Equatable {
        case unchanged(ObjectID?)
        case written(ObjectID)
    }

    /// Appends a record to `ref` computed from the current one, retrying the compare-and-swap until it lands.
    ///
    /// `transform` receives the current record (nil when the ref does not exist) and returns the next payload,
    /// or nil to leave the ref as it is. It may run several times, once per attempt, so it must not have
    /// side effects beyond its return value.
    @discardableResult
    public func update(_ ref: String, message: String,
                       _ transform: (_ current: (commit: ObjectID, payload: Data)?) throws -> Data?) throws -> UpdateOutcome {
        var backoff = Backoff()
        while true {
            let head = try target(of: ref)
            let current = try head.map { (commit: $0, payload: try payload(of: $0)) }
            guard let next = try transform(current) else { return .unchanged(head) }
            let commit = try writeRecord(next, parent: head, message: message)
            do {
                try compareAndSwap(ref, to: commit, expecting: head, message: message)
                return .written(commit)
            } catch let error as GitError where error.isContention {
                try backoff.wait(for: ref, locked: error.isLocked, lockFile: lockPath(of: ref))
            }
        }
    }

    func lockPath(of ref: String) -> String { repository.commonDir + "/" + ref + ".lock" }
}

/// Exponential backoff with jitter for compare-and-swap retries, with a deadline.
///
/// A lock file that stays in place for the whole wait and is old is taken to be left by a killed process:
/// ref locks are held for microseconds, so one older than `staleLockAge` has no living owner.
struct Backoff {
    static let deadline: Double = 10
    static let staleLockAge: Double = 30

    private let start = Date()
    private var delay: Double = 0.0005

    mutating func wait(for ref: String, locked: Bool, lockFile: String) throws {
        if locked && removeIfStale(lockFile) { return }
        if Date().timeIntervalSince(start) > Self.deadline {
            throw locked ? CoordError.staleLock(lockFile) : CoordError.contention(ref: ref)
        }
        let jittered = delay * Double.random(in: 0.5...1.5)
        usleep(UInt32(jittered * 1_000_000))
        delay = min(delay * 2, 0.05)
    }

    private func removeIfStale(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let age = Date().timeIntervalSince1970 - Double(info.st_mtim.tv_sec)
        return age > Self.staleLockAge && unlink(path) == 0
    }
}
