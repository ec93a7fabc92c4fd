import CLibGit2
#if canImport(Glibc)
import Glibc
#endif

/// The paths a commit is about to record: the difference between HEAD's tree and the index being committed.
///
/// Both sides of every change are listed, so a rename (which git without rename detection sees as a deletion
/// and an addition) yields its old and its new path, and a deletion its old path. Rename detection itself is
/// not needed and not run: it costs time on the hot path of every commit and adds no path.
public enum StagedPaths {
    /// `indexFile` is `$GIT_INDEX_FILE` when git set it (`git commit -a` and `git commit PATH` commit a temporary
    /// index, which the pre-commit hook must read instead of `.git/index`); relative to `directory`.
    public static func list(in repository: Repository, indexFile: String?, directory: String) throws -> [String] {
        let repo = repository.pointer
        let wanted = indexFile.flatMap { $0.isEmpty ? nil : $0.hasPrefix("/") ? $0 : directory + "/" + $0 }
        var index: OpaquePointer?
        let code = git_repository_index(&index, repo)
        // Opened from git's environment (a hook's), the repository's index is this very file, read already: it is
        // not read and checksummed twice. Another file (a temporary index) is opened instead.
        if let wanted, code != 0 || git_index_path(index).map({ String(cString: $0) }) != wanted {
            if index != nil { git_index_free(index) }
            index = nil
            try check(git_index_open(&index, wanted), "read the index \(wanted)")
        } else {
            try check(code, "read the index")
        }
        defer { git_index_free(index) }

        var tree: OpaquePointer?
        if var head = repository.headCommit?.raw {
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, repo, &head), "read HEAD")
            defer { git_commit_free(commit) }
            try check(git_commit_tree(&tree, commit), "read HEAD's tree")
        }
        defer { if tree != nil { git_tree_free(tree) } }

        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "diff options")
        options.flags = GIT_DIFF_IGNORE_SUBMODULES.rawValue
        var diff: OpaquePointer?
        try check(git_diff_tree_to_index(&diff, repo, tree, index, &options), "list staged changes")
        defer { git_diff_free(diff) }

        var paths: [String] = []
        var seen = Set<String>()
        for position in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, position)?.pointee else { continue }
            for cPath in [delta.old_file.path, delta.new_file.path] {
                guard let cPath else { continue }
                let path = String(cString: cPath)
                if seen.insert(path).inserted { paths.append(path) }
            }
        }
        return paths
    }
}
