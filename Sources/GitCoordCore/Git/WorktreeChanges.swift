import CLibGit2
#if canImport(Glibc)
import Glibc
#endif

/// The files with uncommitted changes in one worktree (staged, unstaged and untracked, not ignored),
/// each with when it last changed: the "files touched" that no hook had to report.
enum WorktreeChanges {
    static func list(in repository: Repository, previous: [TouchedFile]) throws -> [TouchedFile] {
        guard let workdir = repository.workdir else { return [] }
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "status options")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX.rawValue
        var list: OpaquePointer?
        try check(git_status_list_new(&list, repository.pointer, &options), "status of \(workdir)")
        defer { git_status_list_free(list) }

        let earlier = Dictionary(previous.map { ($0.path, $0.at) }, uniquingKeysWith: max)
        let now = nowMillis()
        var files: [TouchedFile] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta, let cPath = delta.pointee.new_file.path ?? delta.pointee.old_file.path else { continue }
            let path = String(cString: cPath)
            files.append(TouchedFile(path: path, at: changeTime(of: path, in: workdir, earlier: earlier[path], now: now)))
        }
        return newestFirst(files)
    }

    /// `previous` with the state of `paths` alone brought up to date (`git_status_file` for each): added when
    /// it has uncommitted changes, dropped when it has none (or is ignored). The rest of the worktree is not
    /// looked at. A path libgit2 cannot answer for (a folder, say) keeps its previous state.
    static func update(_ previous: [TouchedFile], paths: [String], in repository: Repository) -> [TouchedFile] {
        guard let workdir = repository.workdir else { return previous }
        let now = nowMillis()
        var files = Dictionary(previous.map { ($0.path, $0) }, uniquingKeysWith: { $0.at >= $1.at ? $0 : $1 })
        for path in Set(paths) {
            var flags: UInt32 = 0
            switch git_status_file(&flags, repository.pointer, path) {
            case 0 where flags & ~GIT_STATUS_IGNORED.rawValue != 0:
                files[path] = TouchedFile(path: path, at: changeTime(of: path, in: workdir, earlier: files[path]?.at, now: now))
            case 0, GIT_ENOTFOUND.rawValue:  // clean, ignored, or neither in the index nor in the worktree
                files[path] = nil
            default:
                continue
            }
        }
        return newestFirst(Array(files.values))
    }

    /// When the file last changed: its modification time, or for a deleted file the time it was first seen gone.
    private static func changeTime(of path: String, in workdir: String, earlier: Millis?, now: Millis) -> Millis {
        var info = stat()
        guard stat(workdir + "/" + path, &info) == 0 else { return earlier ?? now }
        return Millis(info.st_mtim.tv_sec) * 1000 + Millis(info.st_mtim.tv_nsec / 1_000_000)
    }

    private static func newestFirst(_ files: [TouchedFile]) -> [TouchedFile] {
        files.sorted { ($0.at, $1.path) > ($1.at, $0.path) }
    }
}
