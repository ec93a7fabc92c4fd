import CLibGit2
#if canImport(Glibc)
import Glibc
#endif

/// What a claim covers: one file, one directory (everything below it), or a git pathspec pattern.
public enum ClaimKind: String, Codable, Sendable {
    case file, directory, pattern
}

/// A claimed path or pattern, normalised to the repository-relative form every worktree and clone agrees on,
/// since the claim's ref name is derived from it.
public struct ClaimPattern: Hashable, Sendable, CustomStringConvertible {
    /// Repository-relative, no leading or trailing slash; "" is the whole repository (a directory).
    public let text: String
    public let kind: ClaimKind

    public init(text: String, kind: ClaimKind) {
        self.text = text
        self.kind = kind
    }

    /// As shown to people: directories end in "/", the whole repository is ".".
    public var description: String {
        switch kind {
        case .directory: return text.isEmpty ? "." : text + "/"
        case .file, .pattern: return text
        }
    }

    /// The arbiter ref of this claim: the git blob id of the normalised text, so the same path claimed in any
    /// worktree or clone lands on the same ref (`printf %s PATTERN | git hash-object --stdin` gives it).
    public var refName: String {
        kind == .pattern ? RefLayout.patternClaim(Self.hash(text)) : RefLayout.pathClaim(Self.hash(text))
    }

    static func hash(_ text: String) -> String {
        var text = text
        return text.withUTF8 { ObjectID.blob(of: UnsafeRawBufferPointer($0)) }.hex
    }

    static let wildcards: Set<Character> = ["*", "?", "["]

    /// The part before the first wildcard: every path the pattern can match starts with it.
    var literalPrefix: String {
        guard kind == .pattern else { return text }
        return String(text.prefix { !Self.wildcards.contains($0) && $0 != "\\" })
    }

    // MARK: Parsing command-line arguments

    /// Normalises a path or pattern given on a command line: relative to `directory`, or absolute inside the
    /// worktree. An existing file or directory is taken literally (even with `[` in its name, as git does);
    /// otherwise `*`, `?` or `[` make it a pattern; a trailing "/" makes it a directory.
    public static func parse(_ argument: String, in repository: Repository, from directory: String) throws -> ClaimPattern {
        guard !argument.isEmpty else { throw CoordError.invalidPattern(argument, reason: "it is empty") }
        guard let workdir = repository.workdir else { throw CoordError.bareRepository }
        let relative = try repository.relativePath(argument, from: directory)
        if relative.isEmpty { return ClaimPattern(text: "", kind: .directory) }
        var info = stat()
        let exists = lstat(workdir + "/" + relative, &info) == 0
        let isDirectory = exists && (info.st_mode & S_IFMT) == S_IFDIR
        if isDirectory || (argument.hasSuffix("/") && !relative.contains(where: wildcards.contains)) {
            return ClaimPattern(text: relative, kind: .directory)
        }
        if exists || !relative.contains(where: wildcards.contains) {
            return ClaimPattern(text: relative, kind: .file)
        }
        if relative.hasPrefix("!") {
            throw CoordError.invalidPattern(argument, reason: "negative patterns ('!...') are not supported")
        }
        if relative.hasPrefix(":(") {
            throw CoordError.invalidPattern(argument, reason: "pathspec magic (':(...)') is not supported")
        }
        // libgit2 reads a pattern only up to a line break, and no file name worth a wildcard holds a control
        // character: such a pattern could only match what its writer did not mean.
        if relative.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw CoordError.invalidPattern(argument, reason: "a pattern may not hold control characters")
        }
        _ = try Pathspec(relative)
        return ClaimPattern(text: relative, kind: .pattern)
    }
}

/// Which paths a claim covers and which claims overlap: the rules of docs/design.md, "Overlap".
///
/// A file claim covers that path; a directory claim covers everything below it; a pattern covers what libgit2's
/// pathspec matching says (`*` crosses "/", as in git). Two claims overlap when some path could be covered by
/// both; for two wildcard patterns that is decided conservatively, from their literal prefixes.
final class ClaimMatcher {
    let pattern: ClaimPattern
    private let pathspec: Pathspec?

    init(_ pattern: ClaimPattern) {
        self.pattern = pattern
        // A pattern that no longer compiles (written by another version, or a remote) matches everything:
        // being warned too often is better than missing a claim.
        pathspec = pattern.kind == .pattern ? try? Pathspec(pattern.text) : nil
    }

    /// Whether the claim covers `path` (a repository-relative file path).
    func covers(_ path: String) -> Bool {
        switch pattern.kind {
        case .file, .directory:
            return Self.isSameOrBelow(path, pattern.text)
        case .pattern:
            return pathspec?.matches(path) ?? true
        }
    }

    /// Whether some path could be covered by both claims.
    func overlaps(_ other: ClaimMatcher) -> Bool {
        let a = pattern, b = other.pattern
        switch (a.kind, b.kind) {
        case (.pattern, .pattern):
            return Self.prefixCompatible(a.literalPrefix, b.literalPrefix)
        case (.pattern, .file):
            return covers(b.text)
        case (.file, .pattern):
            return other.covers(a.text)
        case (.pattern, .directory):
            return covers(b.text) || Self.prefixCompatible(a.literalPrefix, Self.asFolder(b.text))
        case (.directory, .pattern):
            return other.covers(a.text) || Self.prefixCompatible(b.literalPrefix, Self.asFolder(a.text))
        default:
            return Self.isSameOrBelow(a.text, b.text) || Self.isSameOrBelow(b.text, a.text)
        }
    }

    /// Byte-wise, as git compares paths (Swift's `==` and `hasPrefix` would equate canonically equivalent Unicode).
    static func isSameOrBelow(_ path: String, _ folder: String) -> Bool {
        guard !folder.isEmpty else { return true }
        guard path.utf8.starts(with: folder.utf8) else { return false }
        let rest = path.utf8.dropFirst(folder.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "/")
    }

    static func asFolder(_ text: String) -> String { text.isEmpty ? "" : text + "/" }

    static func prefixCompatible(_ x: String, _ y: String) -> Bool { x.utf8.starts(with: y.utf8) || y.utf8.starts(with: x.utf8) }
}
