import CLibGit2

/// One compiled git pathspec pattern, so that claim patterns mean what they mean to git: `*` and `?` match across
/// `/` as in `git add '*.js'`, `**` matches any depth, `[abc]` a character class, and a plain path also matches
/// everything below it.
///
/// libgit2 checks that the pattern compiles (`git_pathspec_new`), but does not match: its wildmatch (1.5.1)
/// backtracks without bound, and `*a*a*b` against a 1,000-byte path took 38 s; each further `*` multiplies that.
/// Patterns come from other clones too, and matching runs on every commit and edit. Without WM_PATHNAME (git's
/// flags for pathspecs) every star matches any bytes, `/` included, and every other element matches one byte, so
/// the classic greedy match with one backtracking point is exact, in time bounded by pattern × path length.
final class Pathspec {
    private let pointer: OpaquePointer
    private let elements: [Element]?
    /// Without `*`, `?` or `[`, a pattern also matches every path below it, as git's pathspecs do.
    private let literal: [UInt8]?
    private let text: [UInt8]

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
        var bytes = Array(pattern.utf8)
        // Slashes around it mean nothing to a pathspec match (libgit2 strips them).
        while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        while bytes.first == UInt8(ascii: "/") { bytes.removeFirst() }
        // Empty matches everything; a negative pattern alone matches nothing (it needs a positive one beside it).
        text = bytes
        elements = bytes.isEmpty ? [.star] : bytes.first == UInt8(ascii: "!") ? nil : Self.compile(bytes)
        let wildcards: Set<UInt8> = [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "[")]
        let hasWildcard = bytes.indices.contains { wildcards.contains(bytes[$0]) && ($0 == 0 || bytes[$0 - 1] != UInt8(ascii: "\\")) }
        literal = hasWildcard ? nil : bytes
    }

    deinit { git_pathspec_free(pointer) }

    /// Case-sensitive, as git is on Linux (libgit2 does not consult core.ignorecase here).
    func matches(_ path: String) -> Bool {
        guard let elements else { return false }
        let text = Array(path.utf8)
        // As git: a pattern also matches the file named exactly like it (`pages/[id].js`).
        if text == self.text || Self.match(elements, text) { return true }
        guard let literal else { return false }
        return text.count > literal.count && text.starts(with: literal) && text[literal.count] == UInt8(ascii: "/")
    }

    /// libgit2's own answer, for the fuzzer to compare against on inputs small enough for its backtracking.
    func libgit2Matches(_ path: String) -> Bool {
        git_pathspec_matches_path(pointer, GIT_PATHSPEC_USE_CASE.rawValue, path) == 1
    }

    // MARK: Matching

    enum Element: Equatable {
        case star
        case byte(UInt8)
        case any
        /// 256 bits: which bytes the class admits (negation already applied).
        case set([UInt64])
    }

    /// The greedy wildcard match: on a mismatch, let the last star take one byte more and go on from there.
    static func match(_ pattern: [Element], _ text: [UInt8]) -> Bool {
        var p = 0, t = 0
        var star: (element: Int, text: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == .star {
                star = (p, t)
                p += 1
            } else if p < pattern.count, accepts(pattern[p], text[t]) {
                p += 1
                t += 1
            } else if let last = star {
                star = (last.element, last.text + 1)
                p = last.element + 1
                t = last.text + 1
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == .star { p += 1 }
        return p == pattern.count
    }

    private static func accepts(_ element: Element, _ byte: UInt8) -> Bool {
        switch element {
        case .star, .any: return true
        case .byte(let wanted): return byte == wanted
        case .set(let bits): return bits[Int(byte >> 6)] & (1 << UInt64(byte & 63)) != 0
        }
    }

    /// git's wildmatch syntax (byte-wise): `\` escapes, `?`, `*` (and `**`, the same without WM_PATHNAME), and
    /// classes `[...]` with `!` or `^`, ranges and `[:name:]`. nil when no path can match: a class without its `]`,
    /// an unknown `[:name:]` (wildmatch gives up on those).
    static func compile(_ p: [UInt8]) -> [Element]? {
        var elements: [Element] = []
        var i = 0
        while i < p.count {
            switch p[i] {
            case UInt8(ascii: "\\"):
                guard i + 1 < p.count else { return elements }  // a trailing backslash is dropped, as libgit2 does
                elements.append(.byte(p[i + 1]))
                i += 2
            case UInt8(ascii: "?"):
                elements.append(.any)
                i += 1
            case UInt8(ascii: "*"):
                if elements.last != .star { elements.append(.star) }
                i += 1
            case UInt8(ascii: "["):
                guard let (set, next) = compileClass(p, from: i + 1) else { return nil }
                elements.append(.set(set))
                i = next
            default:
                elements.append(.byte(p[i]))
                i += 1
            }
        }
        return elements
    }

    /// The class starting after `[` at `start`, as wildmatch reads it; returns the bits and the index after `]`.
    private static func compileClass(_ p: [UInt8], from start: Int) -> ([UInt64], Int)? {
        var bits = [UInt64](repeating: 0, count: 4)
        func add(_ byte: UInt8) { bits[Int(byte >> 6)] |= 1 << UInt64(byte & 63) }
        var i = start
        guard i < p.count else { return nil }
        let negated = p[i] == UInt8(ascii: "!") || p[i] == UInt8(ascii: "^")
        if negated { i += 1 }
        var previous: UInt8? = nil  // the byte a following '-' makes a range from
        var first = true
        while true {
            guard i < p.count else { return nil }
            let c = p[i]
            if c == UInt8(ascii: "]") && !first { i += 1; break }
            first = false
            if c == UInt8(ascii: "\\") {
                guard i + 1 < p.count else { return nil }
                add(p[i + 1])
                previous = p[i + 1]
                i += 2
            } else if c == UInt8(ascii: "-"), let low = previous, i + 1 < p.count, p[i + 1] != UInt8(ascii: "]") {
                var high = p[i + 1]
                i += 2
                if high == UInt8(ascii: "\\") {
                    guard i < p.count else { return nil }
                    high = p[i]
                    i += 1
                }
                if low <= high { for byte in low...high { add(byte) } }
                previous = nil
            } else if c == UInt8(ascii: "["), i + 1 < p.count, p[i + 1] == UInt8(ascii: ":") {
                guard let close = p[(i + 2)...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
                guard close - (i + 2) >= 1, p[close - 1] == UInt8(ascii: ":") else {
                    // No ":]": a plain '[' in the class.
                    add(c)
                    previous = c
                    i += 1
                    continue
                }
                let name = String(decoding: p[(i + 2)..<(close - 1)], as: UTF8.self)
                guard let members = posixClass(name) else { return nil }
                for byte in UInt8(0)...UInt8(127) where members(byte) { add(byte) }
                previous = nil
                i = close + 1
            } else {
                add(c)
                previous = c
                i += 1
            }
        }
        if negated { bits = bits.map { ~$0 } }
        return (bits, i)
    }

    private static func posixClass(_ name: String) -> ((UInt8) -> Bool)? {
        func isUpper(_ b: UInt8) -> Bool { (65...90).contains(b) }
        func isLower(_ b: UInt8) -> Bool { (97...122).contains(b) }
        func isDigit(_ b: UInt8) -> Bool { (48...57).contains(b) }
        func isPunct(_ b: UInt8) -> Bool { (33...126).contains(b) && !isUpper(b) && !isLower(b) && !isDigit(b) }
        switch name {
        case "alnum": return { isUpper($0) || isLower($0) || isDigit($0) }
        case "alpha": return { isUpper($0) || isLower($0) }
        case "blank": return { $0 == 32 || $0 == 9 }
        case "cntrl": return { $0 < 32 || $0 == 127 }
        case "digit": return isDigit
        case "graph": return { (33...126).contains($0) }
        case "lower": return isLower
        case "print": return { (32...126).contains($0) }
        case "punct": return isPunct
        case "space": return { $0 == 32 || (9...13).contains($0) }
        case "upper": return isUpper
        case "xdigit": return { isDigit($0) || (65...70).contains($0) || (97...102).contains($0) }
        default: return nil
        }
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
