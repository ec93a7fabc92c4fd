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
            var info = stat()
            let at: Millis
            if stat(workdir + "/" + path, &info) == 0 {
                at = Millis(info.st_mtim.tv_sec) * 1000 + Millis(info.st_mtim.tv_nsec / 1_000_000)
            } else {
                at = earlier[path] ?? now  // deleted: keep the time we first saw it gone
            }
            files.append(TouchedFile(path: path, at: at))
        }
        return files.sorted { ($0.at, $1.path) > ($1.at, $0.path) }
    }
}
