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

    /// Every ref below `prefix` with its head record's payload (or why it cannot be read: an `UnreadableRecord`),
    /// in name order. Payloads come from the folder's head cache when the head is known there; the cache is
    /// brought up to date.
    public func heads(under prefix: String) throws -> [(name: String, target: ObjectID, payload: Result<Data, Error>)] {
        var cache = HeadCache(commonDir: repository.commonDir, folder: prefix)
        var readable: [ObjectID: Data] = [:]
        let heads = try refs(under: prefix).map { name, target in
            let read: Result<Data, Error> = cache.payload(of: target).map { .success($0) } ?? read(target).payload.mapError { $0 }
            if case .success(let data) = read { readable[target] = data }
            return (name, target, read)
        }
        cache.save(readable)
        return heads
    }

    /// The head record of `ref`, or nil when the ref does not exist or its record cannot be read (then with a
    /// warning naming the ref): for the reads of one record by its ref name.
    public func headRecord(of ref: String) throws -> (commit: ObjectID, payload: Data)? {
        guard let head = try target(of: ref) else { return nil }
        return readableRecord(head, of: ref).map { (head, $0) }
    }

    /// The payload of the record in `commit`, the head of `ref`, or nil when it cannot be read (then with a
    /// warning naming the ref).
    public func readableRecord(_ commit: ObjectID, of ref: String) -> Data? {
        switch read(commit).payload {
        case .success(let payload): return payload
        case .failure(let unreadable):
            report("skipping \(ref): \(unreadable)")
            return nil
        }
    }

    /// Whether `id` is a commit in the object database (from its header: nothing inflated).
    public func isCommit(_ id: ObjectID) -> Bool { objectHeader(id.raw)?.type == GIT_OBJECT_COMMIT }

    /// The payload of the record stored in `commit`; throws an `UnreadableRecord` when there is none to read.
    public func payload(of commit: ObjectID) throws -> Data {
        try read(commit).payload.get()
    }

    /// The payload of the record in `commit` and its first parent; throws an `UnreadableRecord`.
    public func record(at commit: ObjectID) throws -> (payload: Data, parent: ObjectID?) {
        let (payload, parent) = read(commit)
        return (try payload.get(), parent)
    }

    /// Payloads above this are refused on read: a remote can write anything.
    public static let maximumPayload = 1 << 20

    /// The one place a record is read. The payload of the record in `commit`, or why there is none, and the
    /// commit's first parent (nil when it has none, or is no readable commit). Sizes are checked from object
    /// headers before anything is inflated: a payload of hundreds of megabytes costs a header read, not its size.
    ///
    /// Records are read as raw objects (the commit's first lines, the tree's one entry): an inbox may read a
    /// thousand, and libgit2's parsed commits and trees (signatures, messages, entry tables) would be built only to
    /// be dropped. Anything unexpected takes the parsed path, which says precisely what is wrong.
    public func read(_ commit: ObjectID) -> (payload: Result<Data, UnreadableRecord>, parent: ObjectID?) {
        if let raw = readRaw(commit) { return raw }
        return readParsed(commit)
    }

    private func readRaw(_ commit: ObjectID) -> (payload: Result<Data, UnreadableRecord>, parent: ObjectID?)? {
        guard let odb = objectDatabase else { return nil }
        var oid = commit.raw
        var object: OpaquePointer?
        guard git_odb_read(&object, odb, &oid) == 0 else { return nil }
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(object) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data, count: git_odb_object_size(object))
        // "tree <hex>\n", then "parent <hex>\n" lines.
        guard let tree = Self.headerID(bytes, at: 0, named: "tree ") else { return nil }
        let parent = Self.headerID(bytes, at: 46, named: "parent ")
        var treeOid = tree.raw
        var treeObject: OpaquePointer?
        guard git_odb_read(&treeObject, odb, &treeOid) == 0 else { return nil }
        defer { git_odb_object_free(treeObject) }
        guard git_odb_object_type(treeObject) == GIT_OBJECT_TREE, let treeData = git_odb_object_data(treeObject) else { return nil }
        let entry = Self.payloadEntry
        let treeBytes = UnsafeRawBufferPointer(start: treeData, count: git_odb_object_size(treeObject))
        guard treeBytes.count == entry.count + 20, treeBytes.starts(with: entry) else { return nil }
        var blob = git_oid()
        withUnsafeMutableBytes(of: &blob.id) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: treeBytes[entry.count...])) }
        return (payload(ofBlob: ObjectID(blob), record: commit), parent)
    }

    /// The one entry of every record's tree, before the blob's 20 bytes: made once, not at every record read.
    private static let payloadEntry = Array("100644 \(payloadName)\0".utf8)

    /// A record's payload read straight from its blob (a log index points at payloads): the same size limit as
    /// `read`, checked from the object's header first.
    public func payload(ofBlob blob: ObjectID) -> Result<Data, UnreadableRecord> { payload(ofBlob: blob, record: blob) }

    /// The payload blob of the record `record` (a commit, or the blob itself), failures naming `record`.
    private func payload(ofBlob blob: ObjectID, record: ObjectID) -> Result<Data, UnreadableRecord> {
        let failure = { (problem: UnreadableRecord.Problem) in Result<Data, UnreadableRecord>.failure(UnreadableRecord(commit: record, problem: problem)) }
        guard let odb = objectDatabase, let (size, type) = objectHeader(blob.raw) else { return failure(.payloadMissing) }
        guard type == GIT_OBJECT_BLOB else { return failure(.noPayload) }
        guard size <= Self.maximumPayload else { return failure(.tooLarge(bytes: size)) }
        var oid = blob.raw
        var object: OpaquePointer?
        let code = git_odb_read(&object, odb, &oid)
        guard code == 0 else { return failure(.damaged(GitError(code: code, operation: "").message)) }
        defer { git_odb_object_free(object) }
        let count = git_odb_object_size(object)
        return .success(count == 0 ? Data() : Data(bytes: git_odb_object_data(object)!, count: count))
    }

    /// The blob id `payload` has (or would have) in the object database: what a log index points at.
    public static func blobID(of payload: Data) -> ObjectID {
        payload.withUnsafeBytes { ObjectID.blob(of: $0) }
    }

    /// The object id on the header line `name` at `offset` of a raw commit, if that line is there.
    private static func headerID(_ bytes: UnsafeRawBufferPointer, at offset: Int, named name: StaticString) -> ObjectID? {
        let prefix = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        let end = offset + prefix.count + 40
        guard bytes.count > end, bytes[end] == UInt8(ascii: "\n"),
              bytes[offset..<offset + prefix.count].elementsEqual(prefix) else { return nil }
        var oid = git_oid()
        let parsed = bytes.baseAddress!.advanced(by: offset + prefix.count).withMemoryRebound(to: CChar.self, capacity: 40) {
            git_oid_fromstrn(&oid, $0, 40)
        }
        return parsed == 0 ? ObjectID(oid) : nil
    }

    private func readParsed(_ commit: ObjectID) -> (payload: Result<Data, UnreadableRecord>, parent: ObjectID?) {
        func unreadable(_ problem: UnreadableRecord.Problem) -> Result<Data, UnreadableRecord> {
            .failure(UnreadableRecord(commit: commit, problem: problem))
        }
        var commitOid = commit.raw
        var commitObject: OpaquePointer?
        let code = git_commit_lookup(&commitObject, repo, &commitOid)
        guard code == 0 else { return (unreadable(classify(commit, code: code)), nil) }
        defer { git_commit_free(commitObject) }
        let parent = git_commit_parentcount(commitObject) > 0 ? git_commit_parent_id(commitObject, 0).map { ObjectID($0.pointee) } : nil
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, commitObject) == 0 else { return (unreadable(.noPayload), parent) }
        defer { git_tree_free(tree) }
        guard let entry = git_tree_entry_byname(tree, Self.payloadName), git_tree_entry_type(entry) == GIT_OBJECT_BLOB else {
            return (unreadable(.noPayload), parent)
        }
        let blobID = git_tree_entry_id(entry)!
        switch objectHeader(blobID.pointee) {
        case nil: return (unreadable(.payloadMissing), parent)
        case let (size, _)? where size > Self.maximumPayload: return (unreadable(.tooLarge(bytes: size)), parent)
        default: break
        }
        var blob: OpaquePointer?
        let blobCode = git_blob_lookup(&blob, repo, blobID)
        guard blobCode == 0 else { return (unreadable(.damaged(GitError(code: blobCode, operation: "").message)), parent) }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size <= Self.maximumPayload else { return (unreadable(.tooLarge(bytes: size)), parent) }
        return (.success(Data(bytes: git_blob_rawcontent(blob), count: size)), parent)
    }

    /// Why `git_commit_lookup` failed, told from the object's header.
    private func classify(_ commit: ObjectID, code: Int32) -> UnreadableRecord.Problem {
        let message = GitError(code: code, operation: "").message
        guard let (_, type) = objectHeader(commit.raw) else { return .missing }
        if type != GIT_OBJECT_COMMIT { return .notACommit(type: UnreadableRecord.Problem.named(type)) }
        return .damaged(message)
    }

    /// An object's size and type from its header (no inflating of its content), or nil when it is not there.
    func objectHeader(_ id: git_oid) -> (size: Int, type: git_object_t)? {
        guard let odb = objectDatabase else { return nil }
        var oid = id
        var size = 0
        var type = GIT_OBJECT_INVALID
        guard git_odb_read_header(&size, &type, odb, &oid) == 0 else { return nil }
        return (size, type)
    }

    /// Whether an object is in the object database (a cheap existence check, nothing read).
    func exists(_ id: ObjectID) -> Bool {
        guard let odb = objectDatabase else { return false }
        var oid = id.raw
        return git_odb_exists(odb, &oid) == 1
    }

    private var odb: OpaquePointer?
    private var objectDatabase: OpaquePointer? {
        if odb == nil && git_repository_odb(&odb, repo) != 0 { odb = nil }
        return odb
    }

    deinit { if let odb { git_odb_free(odb) } }

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

    // MARK: Problems met while reading

    /// Where problems met while reading go (`Coordination` collects them for stderr); each is said once.
    public var warn: (String) -> Void = { _ in }
    private var said: Set<String> = []

    func report(_ message: String) {
        if said.insert(message).inserted { warn(message) }
    }

    // MARK: Writing

    /// The id of this clone (`coord.cloneId`), stamped on every record commit so that sync knows which refs this
    /// clone owns and can reject records that only pretend to come from it. Nil: not stamped. See Sync/CloneIdentity.
    public var cloneStamp: (() -> String?)?

    /// Told how many record commits were written (the store packs its loose objects every so many: StorePacker).
    public var recordsWritten: ((Int) -> Void)?

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
        recordsWritten?(1)
        return ObjectID(commitOid)
    }

    /// Points `ref` at `commit` if, and only if, it still points at `expected` (nil: if it does not exist yet).
    /// Throws a `GitError` whose `isContention` is true when another writer moved or holds the ref.
    public func compareAndSwap(_ ref: String, to commit: ObjectID, expecting expected: ObjectID?, message: String) throws {
        try compareAndSwap(ref, to: commit, expecting: expected, message: message, until: monotonicSeconds() + retryBudget)
    }

    private func compareAndSwap(_ ref: String, to commit: ObjectID, expecting expected: ObjectID?, message: String,
                                until deadline: Double) throws {
        var newOid = commit.raw
        // Never force=0 without an expected id: libgit2 1.5.1 ignores force=0 for shared refs in linked worktrees.
        var expectedOid = (expected ?? .zero).raw
        var out: OpaquePointer?
        let code = try locks.whileWriting(ref, until: deadline) {
            git_reference_create_matching(&out, repo, ref, &newOid, 1, &expectedOid, message)
        }
        git_reference_free(out)
        try check(code, "update \(ref)")
    }

    /// Deletes `ref` if it still points at `expected` (libgit2 checks it again under the ref's lock).
    public func delete(_ ref: String, expecting expected: ObjectID) throws {
        var reference: OpaquePointer?
        let code = git_reference_lookup(&reference, repo, ref)
        if code == GIT_ENOTFOUND.rawValue { return }
        try check(code, "read \(ref)")
        defer { git_reference_free(reference) }
        guard let target = git_reference_target(reference), ObjectID(target.pointee) == expected else {
            throw GitError(code: GIT_EMODIFIED.rawValue, operation: "delete \(ref)")
        }
        try check(try locks.whileWriting(ref, until: monotonicSeconds() + retryBudget) { git_reference_delete(reference) },
                  "delete \(ref)")
    }

    /// Who may hold ref locks, so that one left by a killed writer is removed at once (see RefLocks).
    private(set) lazy var locks = RefLocks(commonDir: repository.commonDir)

    /// How long a write keeps retrying when other writers hold or move its ref. Commands wait for their turn;
    /// hooks, which must never stall git or an agent, give up after `hookRetryBudget` with one warning line,
    /// and the next event writes what they could not.
    public var retryBudget: Double = RecordStore.commandRetryBudget
    public static let commandRetryBudget: Double = 10
    public static let hookRetryBudget: Double = 0.5

    public enum UpdateOutcome: Equatable {
        case unchanged(ObjectID?)
        case written(ObjectID)
    }

    /// Appends a record to `ref` computed from the current one, retrying the compare-and-swap until it lands.
    ///
    /// `transform` receives the current record (nil when the ref does not exist) and returns the next payload,
    /// or nil to leave the ref as it is. It may run several times, once per head it is offered, so it must not
    /// have side effects beyond its return value. A head that cannot be read is said once as a warning: when it
    /// is a commit (only its payload is wrong) `transform` gets it with an empty payload, which no record kind
    /// decodes, and the new record goes on top of it; otherwise (a tree, a blob, a missing object) it gets nil
    /// and the new record starts the chain again, replacing the broken ref.
    ///
    /// A retry on the same head reuses the commit written for it: however long another process holds the ref, one
    /// update writes one blob, tree and commit per head it meets, never one per attempt.
    @discardableResult
    public func update(_ ref: String, message: String,
                       _ transform: (_ current: (commit: ObjectID, payload: Data)?) throws -> Data?) throws -> UpdateOutcome {
        var backoff = Backoff(budget: retryBudget)
        var prepared: (head: ObjectID?, commit: ObjectID)?
        while true {
            let head = try target(of: ref)
            let commit: ObjectID
            if let prepared, prepared.head == head, exists(prepared.commit) {
                commit = prepared.commit
            } else {
                var current: (commit: ObjectID, payload: Data)?
                var parent = head
                if let head {
                    switch read(head).payload {
                    case .success(let payload): current = (head, payload)
                    case .failure(let unreadable):
                        report("\(ref): \(unreadable); the next record " + (unreadable.isCommit ? "goes on top of it" : "replaces it"))
                        if unreadable.isCommit { current = (head, Data()) } else { parent = nil }
                    }
                }
                guard let next = try transform(current) else { return .unchanged(head) }
                commit = try writeRecord(next, parent: parent, message: message)
                prepared = (head, commit)
            }
            do {
                try compareAndSwap(ref, to: commit, expecting: head, message: message, until: backoff.deadline)
                return .written(commit)
            } catch let error as GitError where error.isContention {
                try backoff.wait(for: ref, locked: error.isLocked, lockFile: locks.lockPath(of: ref))
            }
        }
    }
}

/// Exponential backoff with jitter for compare-and-swap retries, within a budget of time.
struct Backoff {
    let deadline: Double
    private var delay: Double = 0.0005

    init(budget: Double) { deadline = monotonicSeconds() + budget }

    mutating func wait(for ref: String, locked: Bool, lockFile: String) throws {
        if monotonicSeconds() > deadline {
            throw locked ? CoordError.staleLock(lockFile) : CoordError.contention(ref: ref)
        }
        let jittered = delay * Double.random(in: 0.5...1.5)
        usleep(UInt32(jittered * 1_000_000))
        delay = min(delay * 2, 0.05)
    }
}
