#if canImport(Glibc)
import Glibc
#endif

extension Repository {
    /// The longest path git-coord looks at, in bytes: Linux's PATH_MAX. No file with a longer path can be opened,
    /// so git cannot check one out; refusing it first keeps every step below cheap (an agent's hook may be handed
    /// megabytes of path).
    public static let maximumPathLength = Int(PATH_MAX)

    /// The repository-relative form of a path given on a command line: relative to `directory`, or absolute
    /// inside this worktree. The file need not exist (it may be about to be created, or deleted already).
    /// Linear in the length of the path; a path over `maximumPathLength` bytes is refused before anything else.
    public func relativePath(_ path: String, from directory: String) throws -> String {
        guard let workdir else { throw CoordError.bareRepository }
        guard path.utf8.count <= Self.maximumPathLength else {
            throw CoordError.pathTooLong(path, limit: Self.maximumPathLength)
        }
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

    /// Why `relativePath` gave no repository path for `path`, in a few words (for a hook's one-line diagnostic).
    public static func whyNotInWorktree(_ path: String) -> String {
        path.utf8.count > maximumPathLength
            ? "it is longer than any path git can check out (\(maximumPathLength) bytes)"
            : "it is outside this worktree"
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

    /// Canonicalises the longest existing leading folder of `path` (absolute, normalised) and keeps the rest as
    /// written. Existence only shrinks as components are added (resolving `a/b/c` resolves `a/b`), so the longest
    /// existing prefix is found by bisection: a few `realpath` calls, however deep the path.
    static func resolveExistingPrefix(_ path: String) -> String {
        let bytes = Array(path.utf8)
        // The ends of the candidate prefixes: "/a", "/a/b", ..., the whole path.
        var ends = bytes.indices.filter { $0 > 0 && bytes[$0] == UInt8(ascii: "/") }
        ends.append(bytes.count)
        func resolved(_ count: Int) -> String? {
            guard let pointer = realpath(String(decoding: bytes[..<ends[count - 1]], as: UTF8.self), nil) else { return nil }
            defer { free(pointer) }
            let base = String(cString: pointer)
            return base == "/" ? "" : base
        }
        // Invariant: the first `low` prefixes exist (0: none known), and none longer than `high` does.
        var low = 0, high = ends.count
        var best: String?
        while low < high {
            let middle = (low + high + 1) / 2
            if let base = resolved(middle) {
                low = middle
                best = base
            } else {
                high = middle - 1
            }
        }
        guard low > 0, let best else { return path }
        return best + String(decoding: bytes[ends[low - 1]...], as: UTF8.self)
    }
}
