#if canImport(Glibc)
import Glibc
#endif
import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Installs and removes git-coord's git hooks in every folder git really runs this repository's hooks from,
/// keeping the user's.
///
/// That is one folder (`.git/hooks`, or an absolute `core.hooksPath`), or, for a relative `core.hooksPath`
/// (`.githooks`, husky's `.husky/_`), one per worktree: git resolves it against the top of the worktree it runs
/// in. A worktree added later gets its copy from the post-checkout hook that `git worktree add` runs
/// (`installHere`), and `git coord start` installs into its worktree too.
public struct HookInstaller {
    public let folders: [HookFolder]

    public init(repository: Repository) {
        folders = Self.hooksDirectories(of: repository).map(HookFolder.init(directory:))
    }

    /// `core.hooksPath` when set (`~/` expanded; relative to each worktree's top, as git does), else the
    /// shared `.git/hooks`, which every worktree of the repository uses. The current worktree's comes first.
    static func hooksDirectories(of repository: Repository) -> [String] {
        guard var path = repository.configString("core.hooksPath"), !path.isEmpty else {
            return [repository.commonDir + "/hooks"]
        }
        if path == "~" || path.hasPrefix("~/") {
            path = (Environment["HOME"] ?? "") + path.dropFirst()
        }
        if path.hasPrefix("/") { return [Repository.lexicallyNormalised(path)] }
        let here = repository.workdir ?? repository.commonDir
        // A worktree whose folder is gone (prunable) runs no hooks.
        let tops = (try? repository.worktrees())?.filter { !$0.isPrunable }.map { $0.isBare ? repository.commonDir : $0.path } ?? []
        var seen = Set<String>()
        return ([here] + tops).map { Repository.lexicallyNormalised($0 + "/" + path) }.filter { seen.insert($0).inserted }
    }

    /// Installs every hook in every folder; returns the paths of user hooks that are now chained. Every folder is
    /// checked before any is changed, so a refusal leaves everything as it was.
    @discardableResult
    public func install() throws -> [String] {
        for folder in folders { try folder.checkInstallable() }
        return try folders.flatMap { try $0.install() }
    }

    /// Removes git-coord's hooks and puts the user's back where they were, in every folder.
    public func uninstall() throws {
        for folder in folders { try folder.uninstall() }
    }

    /// With a relative `core.hooksPath`, installs the hooks into this worktree's own folder when they are not all
    /// there (a worktree added after `git coord init`); nothing otherwise. Cheap when they are: four small reads.
    /// Returns whether it installed anything.
    @discardableResult
    public static func installHere(_ repository: Repository) throws -> Bool {
        guard let path = repository.configString("core.hooksPath"), !path.isEmpty, !path.hasPrefix("/"),
              !path.hasPrefix("~"), let workdir = repository.workdir else { return false }
        let folder = HookFolder(directory: Repository.lexicallyNormalised(workdir + "/" + path))
        guard !folder.isCurrent else { return false }
        try folder.checkInstallable()
        _ = try folder.install()
        return true
    }
}

/// One folder git runs hooks from. A hook git-coord did not write is never overwritten or deleted: it is renamed to
/// `NAME.before-coord` (which git never runs by itself) and run by git-coord's hook, and renamed back on uninstall.
public struct HookFolder {
    public let directory: String

    /// Whether git-coord's hooks here are the current scripts (installing would change nothing).
    var isCurrent: Bool {
        GitHookScripts.names.allSatisfy { readStart(of: path($0), upTo: 1 << 16) == GitHookScripts.script(for: $0) }
    }

    /// The folder can be written and no hook of the user's is in the way.
    func checkInstallable() throws {
        try ensureWritableDirectory()
        for name in GitHookScripts.names where exists(path(name)) && !isOurs(path(name)) && exists(chained(name)) {
            throw CoordError.hookInTheWay(chained(name))
        }
    }

    /// Installs every hook (after `checkInstallable`); returns the paths of user hooks that are now chained.
    func install() throws -> [String] {
        var chainedHooks: [String] = []
        for name in GitHookScripts.names {
            let hook = path(name)
            let script = GitHookScripts.script(for: name)
            if exists(hook) {
                if isOurs(hook) {
                    if readStart(of: hook, upTo: 1 << 16) == script { continue }
                } else {
                    try move(hook, to: chained(name))
                    chainedHooks.append(chained(name))
                }
            }
            try writeExecutable(script, to: hook)
        }
        return chainedHooks
    }

    /// Removes git-coord's hooks and puts the user's back where they were.
    func uninstall() throws {
        guard isDirectory(directory) else { return }
        for name in GitHookScripts.names {
            let hook = path(name)
            if exists(hook) && !isOurs(hook) { continue }  // the user's own: leave it alone
            if exists(hook) { do { try Files.remove(hook) } catch { throw CoordError.hooksNotWritable(directory) } }
            if exists(chained(name)) { try move(chained(name), to: hook) }
        }
    }

    /// Whether a git-coord hook is installed for `name`.
    public func isInstalled(_ name: String) -> Bool { isOurs(path(name)) }

    // MARK: Files

    func path(_ name: String) -> String { directory + "/" + name }
    func chained(_ name: String) -> String { path(name) + GitHookScripts.chainedSuffix }

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A hook is ours when its first lines carry the marker; a hook that cannot be read is not ours.
    private func isOurs(_ path: String) -> Bool {
        readStart(of: path, upTo: 512)?.contains(GitHookScripts.marker) ?? false
    }

    private func readStart(of path: String, upTo count: Int) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress, count) }
        return got < 0 ? nil : String(decoding: buffer.prefix(got), as: UTF8.self)
    }

    /// Creates the folder if needed, and proves it writable by writing into it: permission bits say nothing
    /// for root, a read-only mount or an immutable folder.
    private func ensureWritableDirectory() throws {
        if !isDirectory(directory) {
            do {
                try Files.makeDirectories(directory)
            } catch {
                throw CoordError.hooksNotWritable(directory)
            }
        }
        let probe = directory + "/.git-coord-probe-\(getpid())"
        guard (try? Files.createExclusively(probe)) == true else { throw CoordError.hooksNotWritable(directory) }
        try? Files.remove(probe)
    }

    private func move(_ from: String, to: String) throws {
        do { try Files.rename(from, to: to) } catch { throw CoordError.hooksNotWritable(directory) }
    }

    /// Written beside the target and renamed over it, so git never runs a half-written hook.
    private func writeExecutable(_ text: String, to target: String) throws {
        do { try Files.writeAtomically(target, Array(text.utf8), mode: 0o755) } catch { throw CoordError.hooksNotWritable(directory) }
    }
}
