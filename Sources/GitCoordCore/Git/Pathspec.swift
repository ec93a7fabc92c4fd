import CLibGit2

/// One compiled git pathspec pattern (libgit2's `git_pathspec`), so that claim patterns mean what they mean to git:
/// `*` and `?` match across `/` as in `git add '*.js'`, `**` matches any depth, `[abc]` a character class, and a
/// plain path also matches everything below it.
final class Pathspec {
    private let pointer: OpaquePointer

    init(_ pattern: String) throws {
        LibGit2.ensureInitialised()
        var compiled: OpaquePointer?
        try pattern.withCString { cPattern in
            var strings: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: cPattern)]
            try strings.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: 1)
                try check(git_pathspec_new(&compiled, &array), "compile pattern \(pattern)")
            }
        }
        pointer = compiled!
    }

    deinit { git_pathspec_free(pointer) }

    /// Case-sensitive, as git is on Linux (libgit2 does not consult core.ignorecase here).
    func matches(_ path: String) -> Bool {
        git_pathspec_matches_path(pointer, GIT_PATHSPEC_USE_CASE.rawValue, path) == 1
    }
}

extension Repository {
    /// Whether any path in this worktree's index matches `pattern` (a git pathspec).
    func indexHasMatch(for pattern: String) throws -> Bool {
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "read the index")
        defer { git_index_free(index) }
        let spec = try Pathspec(pattern)
        for position in 0..<git_index_entrycount(index) {
            if let entry = git_index_get_byindex(index, position), spec.matches(String(cString: entry.pointee.path)) {
                return true
            }
        }
        return false
    }
}
