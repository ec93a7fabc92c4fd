import CLibGit2
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Walking a record chain backwards from its head, for logs that are read item by item.
extension RecordStore {
    /// The payload of the record in `commit` and its first parent, with one commit lookup.
    public func record(at commit: ObjectID) throws -> (payload: Data, parent: ObjectID?) {
        var commitOid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, repository.pointer, &commitOid), "read record \(commit)")
        defer { git_commit_free(commitObject) }
        let parent = git_commit_parentcount(commitObject) > 0 ? git_commit_parent_id(commitObject, 0).map { ObjectID($0.pointee) } : nil
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitObject), "read record tree \(commit)")
        defer { git_tree_free(tree) }
        guard let entry = git_tree_entry_byname(tree, Self.payloadName) else {
            throw CoordError.git("record \(commit) has no \(Self.payloadName)")
        }
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, repository.pointer, git_tree_entry_id(entry)), "read record blob \(commit)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size <= Self.maximumPayload else {
            throw CoordError.git("record \(commit) is \(size) bytes, over the \(Self.maximumPayload)-byte limit")
        }
        return (Data(bytes: git_blob_rawcontent(blob), count: size), parent)
    }

    /// Calls `visit` with each record of the chain ending at `head`, newest first, until it returns false or
    /// the chain's first record. A record whose payload cannot be read is passed as a thrown error's
    /// description instead, so one bad record neither stops the walk nor hides the ones before it.
    public func walk(from head: ObjectID,
                     _ visit: (_ commit: ObjectID, _ payload: Result<Data, Error>) throws -> Bool) throws {
        var next: ObjectID? = head
        while let commit = next {
            let payload: Result<Data, Error>
            do {
                let record = try record(at: commit)
                payload = .success(record.payload)
                next = record.parent
            } catch let error as CoordError {
                payload = .failure(error)
                next = try parents(of: commit).first
            }
            guard try visit(commit, payload) else { return }
        }
    }
}
