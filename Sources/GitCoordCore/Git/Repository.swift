import CLibGit2
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An open libgit2 repository. One per thread at a time, as libgit2 requires.
public final class Repository {
    let pointer: OpaquePointer

    /// The work tree this repository was opened from (a linked worktree's own folder), canonical, no trailing slash.
    public let workdir: String?
    /// The shared `.git` folder: the same for every worktree of the repository.
    public let commonDir: String

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
        workdir = git_repository_workdir(pointer).map { canonicalPath(String(cString: $0)) }
        commonDir = canonicalPath(String(cString: git_repository_commondir(pointer)))
    }

    deinit {
        if let configSnapshot { git_config_free(configSnapshot) }
        git_repository_free(pointer)
    }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// Opens the repository that contains `path`, searching upward as git does. With no path, finds it as the
    /// git CLI would: from GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE and GIT_CEILING_DIRECTORIES when set (as they
    /// are inside git hooks, where the index being committed may not be .git/index), else from the current folder.
    public static func discover(from path: String? = nil) throws -> Repository {
        LibGit2.ensureInitialised()
        var pointer: OpaquePointer?
        let workTree = path == nil ? Environment.nonEmpty("GIT_WORK_TREE") : nil
        let code: Int32
        if let workTree {
            code = openFromEnvironment(&pointer, workTree: workTree, environment: Environment.all)
        } else if path == nil {
            code = git_repository_open_ext(&pointer, nil, UInt32(GIT_REPOSITORY_OPEN_FROM_ENV.rawValue), nil)
        } else {
            code = git_repository_open_ext(&pointer, path, 0, nil)
        }
        let shown = path ?? currentDirectory()
        if code == GIT_ENOTFOUND.rawValue {
            throw CoordError.notARepository(shown)
        }
        if code < 0 { throw openFailure(code, path: shown) }
        return Repository(pointer: pointer!)
    }

    /// What `GIT_REPOSITORY_OPEN_FROM_ENV` does, plus the `GIT_WORK_TREE` it refuses ("unimplemented" in libgit2
    /// 1.5.1): the layout of `git --git-dir=~/.dotfiles --work-tree=~`, whose hooks get both variables. As git
    /// does: open `GIT_DIR` exactly (else search from here, within `GIT_CEILING_DIRECTORIES`), take
    /// `GIT_INDEX_FILE` and `GIT_NAMESPACE`, and make `GIT_WORK_TREE` (relative to here) the work tree.
    private static func openFromEnvironment(_ pointer: inout OpaquePointer?, workTree: String,
                                            environment: [String: String]) -> Int32 {
        let here = currentDirectory()
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : here + "/" + path }
        var code: Int32
        if let gitDir = environment["GIT_DIR"], !gitDir.isEmpty {
            let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_NO_DOTGIT.rawValue
            code = git_repository_open_ext(&pointer, absolute(gitDir), UInt32(flags), nil)
        } else {
            let acrossFileSystems = ["true", "yes", "on", "1"].contains(environment["GIT_DISCOVERY_ACROSS_FILESYSTEM"]?.lowercased() ?? "")
            let flags = acrossFileSystems ? GIT_REPOSITORY_OPEN_CROSS_FS.rawValue : 0
            code = git_repository_open_ext(&pointer, here, UInt32(flags), environment["GIT_CEILING_DIRECTORIES"])
        }
        guard code == 0, let repository = pointer else { return code }
        if let indexFile = environment["GIT_INDEX_FILE"], !indexFile.isEmpty {
            var index: OpaquePointer?
            code = git_index_open(&index, absolute(indexFile))
            if code == 0 { code = git_repository_set_index(repository, index) }
            if index != nil { git_index_free(index) }
        }
        if code == 0, let namespace = environment["GIT_NAMESPACE"], !namespace.isEmpty {
            code = git_repository_set_namespace(repository, namespace)
        }
        if code == 0 { code = git_repository_set_workdir(repository, absolute(workTree), 0) }
        if code != 0 {
            git_repository_free(repository)
            pointer = nil
        }
        return code
    }

    /// Why a repository could not be opened. libgit2 reports a format extension it does not know only in its
    /// message, so that is where the one kind of failure git-coord can never get past is told apart.
    static func openFailure(_ code: Int32, path: String) -> CoordError {
        let message = GitError(code: code, operation: "open").message
        return message.contains("extension") ? .unsupportedRepository(path: path, reason: message)
                                             : .cannotOpen(path: path, reason: message)
    }

    /// The main checkout of the repository: this worktree unless it is a linked one (then the checkout that owns
    /// the common git folder), nil when the repository has none (bare).
    public var mainCheckout: String? {
        guard git_repository_is_worktree(pointer) == 1 else { return workdir }
        return (try? Repository.open(exactly: commonDir))?.workdir
    }

    /// Opens exactly the repository or worktree at `path`, without searching upward.
    public static func open(exactly path: String) throws -> Repository {
        LibGit2.ensureInitialised()
        var pointer: OpaquePointer?
        let code = git_repository_open_ext(&pointer, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil)
        if code < 0 { throw openFailure(code, path: path) }
        return Repository(pointer: pointer!)
    }

    // MARK: HEAD

    /// The branch checked out here (short name), or nil when HEAD is detached.
    public var currentBranch: String? {
        if git_repository_head_detached(pointer) == 1 { return nil }
        var ref: OpaquePointer?
        guard git_reference_lookup(&ref, pointer, "HEAD") == 0, let ref else { return nil }
        defer { git_reference_free(ref) }
        guard let target = git_reference_symbolic_target(ref) else { return nil }
        let name = String(cString: target)
        return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : name
    }

    /// The commit HEAD points at, if any (nil on an unborn branch).
    public var headCommit: ObjectID? {
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, pointer, "HEAD") == 0 else { return nil }
        return ObjectID(oid)
    }

    // MARK: Config (the shared, repository-level file, which every worktree reads)

    public func configString(_ key: String) -> String? {
        withSnapshot { config in
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            guard git_config_get_string_buf(&buffer, config, key) == 0, let text = buffer.ptr else { return nil }
            return String(cString: text)
        }
    }

    public func configBool(_ key: String) -> Bool? {
        withSnapshot { config in
            var value: Int32 = 0
            guard git_config_get_bool(&value, config, key) == 0 else { return nil }
            return value != 0
        }
    }

    /// Config is read once per Repository, as git reads it once per process: every fresh snapshot re-checks
    /// three files, and a command may ask for a key once per record it shows. Our own writes drop it.
    private var configSnapshot: OpaquePointer?

    private func withSnapshot<T>(_ body: (OpaquePointer) -> T?) -> T? {
        if configSnapshot == nil {
            guard git_repository_config_snapshot(&configSnapshot, pointer) == 0 else { return nil }
        }
        return configSnapshot.flatMap(body)
    }

    public func setConfig(_ key: String, to value: String?) throws {
        if let configSnapshot { git_config_free(configSnapshot) }
        configSnapshot = nil
        var all: OpaquePointer?
        try check(git_repository_config(&all, pointer), "read config")
        defer { git_config_free(all) }
        var local: OpaquePointer?
        try check(git_config_open_level(&local, all, GIT_CONFIG_LEVEL_LOCAL), "open repository config")
        defer { git_config_free(local) }
        if let value {
            try check(git_config_set_string(local, key, value), "set \(key)")
        } else {
            let code = git_config_delete_entry(local, key)
            if code != GIT_ENOTFOUND.rawValue { try check(code, "unset \(key)") }
        }
    }
}

func currentDirectory() -> String { Environment.currentDirectory }

/// Resolves symlinks and drops a trailing slash, so paths from git, libgit2 and the shell compare equal.
public func canonicalPath(_ path: String) -> String {
    var trimmed = path
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let resolved = realpath(trimmed, nil) else { return trimmed }
    defer { free(resolved) }
    return String(cString: resolved)
}
