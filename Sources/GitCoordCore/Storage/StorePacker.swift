import CLibGit2
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// git-coord packs the objects it wrote, so that nobody has to run `git gc` because sessions talked: a record is
/// three loose objects, a loose object takes a whole file-system block, and reading one is a file each. See
/// docs/design.md, "Keeping the store compact".
///
/// Writers count the records they write (`recordsWritten`); every `coord.autoPack` of them, the writer starts
/// `git-coord gc --auto` in the background (`launcher`), which runs `pack()`. Packing only ever adds a pack and
/// then removes copies of what the pack holds: nothing is rewritten or pruned.
public final class StorePacker {
    public static let thresholdKey = "coord.autoPack"
    public static let defaultThreshold = 100

    /// How a process that writes starts the packer in the background, given the repository's common git folder.
    /// Set by the executables: the library alone never starts a process.
    nonisolated(unsafe) public static var launcher: ((_ commonDir: String) -> Void)?

    /// Starts `executable gc --auto` (`executable` is git-coord) on the repository whose common git folder is given,
    /// in the background (`Background.start`): the writer, maybe a hook, does not wait for it. A writer that lives on
    /// (the MCP server, `sync --watch`) keeps no zombie of it. Not started is packing delayed.
    public static func startInBackground(executable: String, commonDir: String) {
        guard let pid = try? Background.start(executable, ["gc", "--auto"], environment: environment(commonDir: commonDir),
                                              name: "git-coord") else { return }
        Background.reapWhenDone(pid)
    }

    /// The packer's environment: ours, opened on the common git folder whatever worktree (or hook's index) the
    /// writer was in.
    static func environment(commonDir: String) -> [String: String] {
        var environment = Environment.withoutGitRepository
        environment["GIT_DIR"] = commonDir
        return environment
    }

    let repository: Repository
    private var coordDirectory: String { repository.commonDir + "/coord" }
    private var objects: String { repository.commonDir + "/objects" }
    private var packDirectory: String { objects + "/pack" }
    private var listPath: String { coordDirectory + "/packs" }

    public init(repository: Repository) { self.repository = repository }

    // MARK: Counting

    /// `coord.autoPack`: records written between two packings; 0 turns automatic packing off.
    static func threshold(_ repository: Repository) -> Int {
        repository.configString(thresholdKey).flatMap { Int($0) }.map { max(0, $0) } ?? defaultThreshold
    }

    /// Counts `records` record commits written (one byte each in `.git/coord/unpacked`) and, each time the count
    /// passes a multiple of the threshold, starts the packer. Never fails: a count that cannot be kept only delays
    /// packing.
    static func recordsWritten(_ records: Int, in repository: Repository) {
        guard records > 0, let launcher else { return }
        let threshold = threshold(repository)
        guard threshold > 0 else { return }
        let directory = repository.commonDir + "/coord"
        let counter = directory + "/unpacked"
        let size: Int
        do {
            size = try Files.append(counter, count: records)
        } catch let error as SystemError where error.isNotFound {
            guard (try? Files.makeDirectories(directory)) != nil, let retried = try? Files.append(counter, count: records) else { return }
            size = retried
        } catch {
            return
        }
        if size / threshold != (size - records) / threshold { launcher(repository.commonDir) }
    }

    /// Whether enough records were written since the last packing for `gc --auto` to pack.
    public var isDue: Bool {
        let threshold = Self.threshold(repository)
        guard threshold > 0, let size = fileSize(coordDirectory + "/unpacked") else { return false }
        return size >= threshold
    }

    /// Forgets the count of records and which packs are git-coord's (coordination turned off): the packs stay, as
    /// any others, for git's own gc.
    static func removeState(in commonDir: String) {
        for name in ["unpacked", "packs", "pack.lock"] { try? Files.remove(commonDir + "/coord/" + name) }
    }

    // MARK: Packing

    public struct Report: Sendable {
        /// Loose objects now in the new pack (their loose files are gone).
        public var packed = 0
        /// Packs of git-coord's folded into the new one (and deleted).
        public var folded = 0
        /// The new pack's name (`pack-<name>.pack`), nil when there was nothing to pack.
        public var pack: String?
    }

    /// Packs git-coord's loose objects, folding in its small packs. Returns nil when another packer is at work,
    /// unless `wait` (a person's `git coord gc` waits for it).
    public func pack(wait: Bool = false) throws -> Report? {
        do {
            try Files.makeDirectories(coordDirectory)
            let lock = try FileLock(path: coordDirectory + "/pack.lock")
            if wait { try lock.lock() } else if try !lock.tryLock() { return nil }
            defer { lock.unlock() }
            // What is written from now on counts towards the next packing.
            try Files.remove(coordDirectory + "/unpacked")
            removeStaleTemporaries()
            return try packLocked()
        } catch let error as SystemError {
            throw CoordError.system(what: error.operation + (error.path.map { " " + $0 } ?? ""), reason: error.reason)
        }
    }

    private func packLocked() throws -> Report {
        let loose = try looseObjects()
        let ours = ourPacks()
        // Fold our packs, smallest first, while each is at most twice what the new pack holds so far: sizes then
        // grow geometrically and there are O(log n) packs. A multi-pack-index (written by git maintenance) may name
        // our packs, so with one we only add.
        var folded: [OwnPack] = []
        if !Files.exists(packDirectory + "/multi-pack-index") {
            var total = loose.count
            for pack in ours where !pack.kept {
                guard pack.count <= 2 * max(total, 1) else { break }
                folded.append(pack)
                total += pack.count
            }
        }
        if loose.isEmpty && folded.count < 2 { return Report() }

        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, repository.pointer), "start a pack")
        defer { git_packbuilder_free(builder) }
        git_packbuilder_set_threads(builder, 1)  // in the background, beside the user's work
        for object in loose {
            var oid = object.id.raw
            try check(git_packbuilder_insert(builder, &oid, object.name), "pack \(object.id)")
        }
        for pack in folded {
            for id in pack.objectIDs() {
                var oid = id.raw
                try check(git_packbuilder_insert(builder, &oid, nil), "pack \(id)")
            }
        }
        // The pack must be on disk before the copies it replaces are deleted.
        git_coord_opts_enable_fsync_gitdir(1)
        defer { git_coord_opts_enable_fsync_gitdir(0) }
        try check(git_packbuilder_write(builder, packDirectory, 0, nil, nil), "write a pack in \(packDirectory)")
        guard let namePointer = git_packbuilder_name(builder) else { throw GitError(code: -1, operation: "name the new pack") }
        let name = String(cString: namePointer)
        guard Files.exists(packDirectory + "/pack-\(name).idx") else {
            throw CoordError.system(what: "write a pack in \(packDirectory)", reason: "pack-\(name).idx is not there")
        }

        let kept = ours.filter { pack in !folded.contains { $0.name == pack.name } }.map(\.name) + [name]
        try Files.writeAtomically(listPath, Array((Set(kept).sorted().joined(separator: "\n") + "\n").utf8))
        for pack in folded where pack.name != name {
            // The index first: a process that looks for packs from now on does not find it; one that has it open
            // keeps reading it, as after git's own repack.
            for suffix in [".idx", ".pack", ".rev", ".bitmap"] { unlink(packDirectory + "/pack-\(pack.name)\(suffix)") }
        }
        // Oldest first: the walk of the next packer stops at the first commit without a loose file, so a packer killed
        // here must leave loose only what sits above every deleted copy, which the next one then reaches.
        for object in loose.reversed() { unlink(loosePath(object.id)) }
        return Report(packed: loose.count, folded: folded.count, pack: name)
    }

    // MARK: What is loose

    struct LooseObject {
        let id: ObjectID
        /// A path name for the packbuilder's delta heuristics (records' blobs are all `record.json`).
        let name: String?
    }

    private func loosePath(_ id: ObjectID) -> String {
        let hex = id.hex
        return objects + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    private func isLoose(_ id: ObjectID) -> Bool { Files.exists(loosePath(id)) }

    /// The loose commits, trees and blobs of git-coord's records: from every ref under refs/coord/ and
    /// refs/coord-remotes/, back along the parents while commits have a loose file. A commit that is also in a pack
    /// (a packer killed before it deleted the copies) counts as loose: its copy is packed again and deleted.
    func looseObjects() throws -> [LooseObject] {
        let store = RecordStore(repository: repository)
        var seen: Set<ObjectID> = []
        var found: [LooseObject] = []
        // Every layout version's refs, and the fetched copies of other clones' (a small fetch leaves loose objects).
        for prefix in ["refs/coord/", RefLayout.remotesRoot] {
            for (_, head) in try store.refs(under: prefix) {
                var pending = [head]
                while let commit = pending.popLast() {
                    guard seen.insert(commit).inserted, isLoose(commit) else { continue }
                    found.append(LooseObject(id: commit, name: nil))
                    var oid = commit.raw
                    var object: OpaquePointer?
                    guard git_commit_lookup(&object, repository.pointer, &oid) == 0 else { continue }
                    defer { git_commit_free(object) }
                    for index in 0..<git_commit_parentcount(object) {
                        if let parent = git_commit_parent_id(object, index) { pending.append(ObjectID(parent.pointee)) }
                    }
                    let tree = ObjectID(git_commit_tree_id(object).pointee)
                    guard seen.insert(tree).inserted, isLoose(tree) else { continue }
                    found.append(LooseObject(id: tree, name: ""))
                    found += looseBlobs(of: tree, seen: &seen)
                }
            }
        }
        return found
    }

    private func looseBlobs(of treeID: ObjectID, seen: inout Set<ObjectID>) -> [LooseObject] {
        var oid = treeID.raw
        var tree: OpaquePointer?
        guard git_tree_lookup(&tree, repository.pointer, &oid) == 0 else { return [] }
        defer { git_tree_free(tree) }
        var blobs: [LooseObject] = []
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index), git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { continue }
            let blob = ObjectID(git_tree_entry_id(entry).pointee)
            if seen.insert(blob).inserted, isLoose(blob) {
                blobs.append(LooseObject(id: blob, name: String(cString: git_tree_entry_name(entry))))
            }
        }
        return blobs
    }

    // MARK: Our packs

    struct OwnPack {
        let name: String
        let count: Int
        /// A `.keep` file: the user wants this pack left alone.
        let kept: Bool
        let indexPath: String

        /// The ids of every object in the pack, from its index (version 2: magic, version, 256 fan-out counts,
        /// then the sorted ids).
        func objectIDs() -> [ObjectID] {
            guard let bytes = try? Files.read(indexPath, limit: 1 << 31), let count = OwnPack.count(bytes) else { return [] }
            let start = 8 + 256 * 4
            guard bytes.count >= start + count * 20 else { return [] }
            return (0..<count).map { index in
                var oid = git_oid()
                withUnsafeMutableBytes(of: &oid.id) { raw in
                    for byte in 0..<20 { raw[byte] = bytes[start + index * 20 + byte] }
                }
                return ObjectID(oid)
            }
        }

        /// The number of objects a version-2 pack index lists (its last fan-out entry), nil for anything else.
        static func count(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 8 + 256 * 4, bytes[0..<8] == [0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2] else { return nil }
            let last = 8 + 255 * 4
            return bytes[last..<last + 4].reduce(0) { $0 << 8 | Int($1) }
        }
    }

    /// The packs git-coord wrote that are still there, smallest first.
    func ourPacks() -> [OwnPack] {
        guard let list = try? Files.read(listPath, limit: 1 << 20) else { return [] }
        let names = String(decoding: list, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { $0.utf8.count == 40 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }
        return names.compactMap { name -> OwnPack? in
            let index = packDirectory + "/pack-\(name).idx"
            // Its count is in the header: the ids (20 bytes an object) are read only for a pack that is folded.
            guard let header = Files.readPrefix(index, limit: 8 + 256 * 4), let count = OwnPack.count(header),
                  Files.exists(packDirectory + "/pack-\(name).pack") else { return nil }
            return OwnPack(name: name, count: count, kept: Files.exists(packDirectory + "/pack-\(name).keep"), indexPath: index)
        }.sorted { ($0.count, $0.name) < ($1.count, $1.name) }
    }

    /// Temporary files of a packer that was killed while writing (libgit2 names them `pack_git2_*`), once an hour old.
    private func removeStaleTemporaries() {
        for name in Files.list(packDirectory) ?? [] where name.hasPrefix("pack_git2_") {
            let path = packDirectory + "/" + name
            if let status = Files.status(path), status.age > 3600 { unlink(path) }
        }
    }

    private func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }
}
