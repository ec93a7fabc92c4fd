#if canImport(Glibc)
import Glibc
#endif
import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Installs and removes git-coord's git hooks in the folder git really runs hooks from, keeping the user's.
///
/// Installing twice changes nothing; a hook git-coord did not write is never overwritten or deleted: it is
/// renamed to `NAME.before-coord` (which git never runs by itself) and run by git-coord's hook, and renamed
/// back on uninstall.
public struct HookInstaller {
    public let directory: String

    public init(repository: Repository) {
        directory = Self.hooksDirectory(of: repository)
    }

    /// `core.hooksPath` when set (`~/` expanded; relative to the worktree's top, as git does), else the
    /// shared `.git/hooks`, which every worktree of the repository uses.
    static func hooksDirectory(of repository: Repository) -> String {
        guard var path = repository.configString("core.hooksPath"), !path.isEmpty else {
            return repository.commonDir + "/hooks"
        }
        if path == "~" || path.hasPrefix("~/") {
            path = (Environment["HOME"] ?? "") + path.dropFirst()
        }
        if !path.hasPrefix("/") { path = (repository.workdir ?? repository.commonDir) + "/" + path }
        return Repository.lexicallyNormalised(path)
    }

    /// Installs every hook; returns the paths of user hooks that are now chained.
    @discardableResult
    public func install() throws -> [String] {
        try ensureWritableDirectory()
        // Look before changing anything, so that a refusal leaves everything as it was.
        for name in GitHookScripts.names where exists(path(name)) && !isOurs(path(name)) && exists(chained(name)) {
            throw CoordError.hookInTheWay(chained(name))
        }
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
    public func uninstall() throws {
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
