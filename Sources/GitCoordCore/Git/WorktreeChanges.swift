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
        let sparse = SparseCheckout(repository)

        let earlier = Dictionary(previous.map { ($0.path, $0.at) }, uniquingKeysWith: max)
        let now = nowMillis()
        var files: [TouchedFile] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta, let cPath = delta.pointee.new_file.path ?? delta.pointee.old_file.path else { continue }
            let path = String(cString: cPath)
            if entry.head_to_index == nil && sparse.isOutsideCone(path) { continue }
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
        let sparse = SparseCheckout(repository)
        for path in Set(paths) {
            var flags: UInt32 = 0
            switch git_status_file(&flags, repository.pointer, path) {
            case 0 where flags & Self.stagedFlags == 0 && sparse.isOutsideCone(path):
                files[path] = nil
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

    private static let stagedFlags = GIT_STATUS_INDEX_NEW.rawValue | GIT_STATUS_INDEX_MODIFIED.rawValue
        | GIT_STATUS_INDEX_DELETED.rawValue | GIT_STATUS_INDEX_RENAMED.rawValue | GIT_STATUS_INDEX_TYPECHANGE.rawValue

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

/// The paths a sparse checkout leaves out of this worktree. libgit2 1.5.1 does not know sparse checkout: it sees
/// every file outside the cone as deleted. git marks those index entries skip-worktree and ignores their absence
/// (and whatever lies at their path), so they are no uncommitted change of anyone's.
final class SparseCheckout {
    private var index: OpaquePointer?

    init(_ repository: Repository) {
        // Without an index nothing is skip-worktree; status itself reports a broken index.
        if git_repository_index(&index, repository.pointer) != 0 { index = nil }
    }

    func isOutsideCone(_ path: String) -> Bool {
        guard let index, let entry = git_index_get_bypath(index, path, 0) else { return false }
        return entry.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0
    }

    deinit { if let index { git_index_free(index) } }
}
