import CLibGit2

/// History questions sync asks about record chains: which of two heads contains the other, and which commits a
/// fetched chain adds. Read-only; everything through libgit2.
extension RecordStore {
    public enum Relation: Equatable {
        case same
        /// The first head contains the second (it is strictly ahead).
        case ahead
        /// The second head contains the first.
        case behind
        /// Each has commits the other lacks.
        case forked
    }

    /// How `local` and `remote` relate in history.
    public func relation(of local: ObjectID, to remote: ObjectID) throws -> Relation {
        if local == remote { return .same }
        var localOid = local.raw
        var remoteOid = remote.raw
        let localContainsRemote = git_graph_descendant_of(repository.pointer, &localOid, &remoteOid)
        try check(localContainsRemote, "compare \(local) with \(remote)")
        if localContainsRemote == 1 { return .ahead }
        let remoteContainsLocal = git_graph_descendant_of(repository.pointer, &remoteOid, &localOid)
        try check(remoteContainsLocal, "compare \(remote) with \(local)")
        return remoteContainsLocal == 1 ? .behind : .forked
    }

    /// How many commits each side has that the other lacks.
    public func aheadBehind(_ local: ObjectID, _ remote: ObjectID) throws -> (ahead: Int, behind: Int) {
        var ahead = 0
        var behind = 0
        var localOid = local.raw
        var remoteOid = remote.raw
        try check(git_graph_ahead_behind(&ahead, &behind, repository.pointer, &localOid, &remoteOid), "count commits")
        return (ahead, behind)
    }

    /// The commits reachable from `head` but not from `known` (all of them when `known` is nil), newest first,
    /// at most `limit + 1` of them (so the caller can tell "more than limit").
    public func commits(from head: ObjectID, notIn known: ObjectID?, limit: Int) throws -> [ObjectID] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, repository.pointer), "walk records")
        defer { git_revwalk_free(walk) }
        var headOid = head.raw
        try check(git_revwalk_push(walk, &headOid), "walk \(head)")
        if var knownOid = known?.raw {
            try check(git_revwalk_hide(walk, &knownOid), "walk \(known!)")
        }
        var found: [ObjectID] = []
        var oid = git_oid()
        while found.count <= limit {
            let code = git_revwalk_next(&oid, walk)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "walk \(head)")
            found.append(ObjectID(oid))
        }
        return found
    }

    /// Why a commit is not a well-formed record, or nil when it is one: a commit whose tree holds `record.json` as a
    /// blob no larger than `maximumPayload`. Checks sizes from the object header, without loading a huge blob.
    public func recordProblem(_ commit: ObjectID) -> String? {
        var commitOid = commit.raw
        var object: OpaquePointer?
        guard git_commit_lookup(&object, repository.pointer, &commitOid) == 0 else { return "it is not a commit" }
        defer { git_commit_free(object) }
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, object) == 0 else { return "its tree is missing" }
        defer { git_tree_free(tree) }
        guard let entry = git_tree_entry_byname(tree, Self.payloadName),
              git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return "it holds no \(Self.payloadName)" }
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, repository.pointer) == 0 else { return "cannot open the object database" }
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        guard git_odb_read_header(&size, &type, odb, git_tree_entry_id(entry)) == 0 else { return "its payload is missing" }
        if size > Self.maximumPayload { return "its payload is \(size) bytes, over the \(Self.maximumPayload)-byte limit" }
        return nil
    }
}
