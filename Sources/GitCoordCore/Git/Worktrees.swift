import CLibGit2

/// One checkout of the repository: the main worktree or a linked one, as `git worktree list` shows them.
public struct Worktree: Sendable {
    public let path: String
    /// nil for the main worktree; the linked worktree's name (its folder under .git/worktrees) otherwise.
    public let name: String?
    public let branch: String?
    public let head: ObjectID?
    public let isBare: Bool
    public let isLocked: Bool
    /// Its folder is gone: `git worktree prune` would remove it.
    public let isPrunable: Bool
}

extension Repository {
    /// The main worktree first, then the linked ones in path order, as `git worktree list` does.
    public func worktrees() throws -> [Worktree] {
        var result: [Worktree] = []
        let main = try Repository.open(exactly: mainRepositoryPath)
        result.append(Worktree(path: main.workdir ?? main.commonDir, name: nil, branch: main.currentBranch,
                               head: main.headCommit, isBare: main.isBare, isLocked: false, isPrunable: false))

        var names = git_strarray()
        try check(git_worktree_list(&names, pointer), "list worktrees")
        defer { git_strarray_dispose(&names) }
        for index in 0..<names.count {
            guard let cName = names.strings[index] else { continue }
            var worktree: OpaquePointer?
            guard git_worktree_lookup(&worktree, pointer, cName) == 0 else { continue }
            defer { git_worktree_free(worktree) }
            let path = canonicalPath(String(cString: git_worktree_path(worktree)))
            let valid = git_worktree_validate(worktree) == 0
            var locked = git_buf()
            defer { git_buf_dispose(&locked) }
            let isLocked = git_worktree_is_locked(&locked, worktree) > 0
            var opened: Repository?
            if valid { opened = try? Repository.open(exactly: path) }
            result.append(Worktree(path: path, name: String(cString: cName), branch: opened?.currentBranch,
                                   head: opened?.headCommit, isBare: false, isLocked: isLocked, isPrunable: !valid))
        }
        return [result[0]] + result.dropFirst().sorted { $0.path < $1.path }
    }

    /// The main repository: its work tree when it has one, else the common git dir (a bare repository).
    private var mainRepositoryPath: String {
        let common = commonDir
        if common.hasSuffix("/.git") { return String(common.dropLast(5)) }
        return common
    }
}
