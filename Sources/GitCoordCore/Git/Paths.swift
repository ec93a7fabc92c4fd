#if canImport(Glibc)
import Glibc
#endif

extension Repository {
    /// The repository-relative form of a path given on a command line: relative to `directory`, or absolute
    /// inside this worktree. The file need not exist (it may be about to be created, or deleted already).
    public func relativePath(_ path: String, from directory: String) throws -> String {
        guard let workdir else { throw CoordError.bareRepository }
        let absolute = path.hasPrefix("/") ? path : directory + "/" + path
        let normalised = Self.lexicallyNormalised(absolute)
        // Resolve symlinks in the folder part, so /tmp/x and /private/tmp/x compare equal; keep the file name.
        let slash = normalised.lastIndex(of: "/")!
        let folder = String(normalised[..<slash])
        let resolved = (folder.isEmpty ? "" : Self.resolveExistingPrefix(folder)) + String(normalised[slash...])
        if resolved == workdir { return "" }
        guard resolved.hasPrefix(workdir + "/") else { throw CoordError.pathOutsideRepository(path) }
        let relative = String(resolved.dropFirst(workdir.count + 1))
        if relative == ".git" || relative.hasPrefix(".git/") { throw CoordError.pathOutsideRepository(path) }
        return relative
    }

    /// `a/./b/../c` as `a/c`, without touching the file system.
    static func lexicallyNormalised(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Canonicalises the longest existing leading folder of `path` and keeps the rest as written.
    static func resolveExistingPrefix(_ path: String) -> String {
        var head = path
        var tail = ""
        while !head.isEmpty {
            if let resolved = realpath(head, nil) {
                defer { free(resolved) }
                let base = String(cString: resolved)
                return (base == "/" ? "" : base) + tail
            }
            guard let slash = head.lastIndex(of: "/") else { break }
            tail = String(head[slash...]) + tail
            head = String(head[..<slash])
        }
        return path
    }
}
