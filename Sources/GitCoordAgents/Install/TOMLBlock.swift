/// One TOML table git-coord puts in a settings file: its header (`mcp_servers.git-coord`) and its `key = value`
/// lines, written by git-coord and so known to be valid TOML.
public struct TOMLTable: Sendable, Equatable {
    public var header: String
    public var lines: [String]
    /// When the user's part of the file defines this table already, add the lines to it (each marked) instead of
    /// defining it twice, which TOML forbids. A line whose key the user's table has is left out and reported.
    public var mergesIntoExisting: Bool

    public init(_ header: String, _ lines: [String], mergesIntoExisting: Bool = false) {
        self.header = header
        self.lines = lines
        self.mergesIntoExisting = mergesIntoExisting
    }
}

/// git-coord's part of a TOML file the user owns (Codex's `config.toml`), edited as text so that every comment,
/// blank line and key of the user's stays as it was: whole tables go in one marked block at the end of the file;
/// lines added to a table of the user's end with a marker comment. `--uninstall` takes out exactly those.
///
/// A table the user's part defines already is never defined again (TOML forbids it; the agent would refuse the
/// whole file): unless it merges, it is skipped and reported.
struct TOMLBlock {
    let owner: String
    var begin: String { "# >>> \(owner): lines between these markers are git-coord's" }
    var end: String { "# <<< \(owner)" }
    var lineMark: String { "  # \(owner)" }

    struct Result {
        var text: String
        /// Tables or lines left out because the user's part has them, with why.
        var skipped: [String]
    }

    /// `text` with git-coord's part replaced by `tables` (nothing of git-coord's when `tables` is empty).
    func applying(_ tables: [TOMLTable], to text: String) -> Result {
        var lines = userLines(of: text)
        var skipped: [String] = []
        var block: [String] = []
        for table in tables {
            guard let headerIndex = lines.firstIndex(where: { Self.header(of: $0) == Self.normalized(table.header) }) else {
                block += (block.isEmpty ? [] : [""]) + ["[\(table.header)]"] + table.lines
                continue
            }
            guard table.mergesIntoExisting else {
                skipped.append("[\(table.header)] is defined already")
                continue
            }
            let end = lines[(headerIndex + 1)...].firstIndex { Self.header(of: $0) != nil } ?? lines.endIndex
            let existingKeys = Set(lines[(headerIndex + 1)..<end].compactMap(Self.key(of:)))
            var insertAt = headerIndex + 1
            for line in table.lines {
                guard let key = Self.key(of: line) else { continue }
                if existingKeys.contains(key) {
                    skipped.append("\(key) in [\(table.header)] is set already")
                    continue
                }
                lines.insert(line + lineMark, at: insertAt)
                insertAt += 1
            }
        }
        while lines.last?.trimmingSpaces.isEmpty == true { lines.removeLast() }
        if !block.isEmpty { lines += (lines.isEmpty ? [] : [""]) + [begin] + block + [end] }
        return Result(text: lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n", skipped: skipped)
    }

    /// Whether git-coord has anything in `text`.
    func isPresent(in text: String) -> Bool { userLines(of: text).count != Self.lines(of: text).count }

    /// The file's lines without git-coord's block and marked lines.
    private func userLines(of text: String) -> [String] {
        var result: [String] = []
        var inBlock = false
        for line in Self.lines(of: text) {
            if line == begin { inBlock = true; continue }
            if inBlock { if line == end { inBlock = false }; continue }
            if line.hasSuffix(lineMark) { continue }
            result.append(line)
        }
        return result
    }

    static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The table a `[header]` line opens, normalised (quotes around bare keys dropped); nil for other lines and for
    /// `[[array tables]]`.
    static func header(of line: String) -> String? {
        let trimmed = line.trimmingSpaces
        guard trimmed.hasPrefix("["), !trimmed.hasPrefix("[["), let close = trimmed.lastIndex(of: "]") else { return nil }
        return normalized(String(trimmed[trimmed.index(after: trimmed.startIndex)..<close]))
    }

    static func normalized(_ header: String) -> String {
        splitKey(header).map { part -> String in
            let bare = part.allSatisfy { $0.isLetter && $0.isASCII || $0.isNumber || $0 == "_" || $0 == "-" }
            return bare ? part : "\"" + part + "\""
        }.joined(separator: ".")
    }

    /// The dotted parts of a key, quotes removed.
    static func splitKey(_ key: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in key {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingSpaces)
        return parts
    }

    /// The key a `key = value` line sets, or nil.
    static func key(of line: String) -> String? {
        let trimmed = line.trimmingSpaces
        guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix("["), let equals = trimmed.firstIndex(of: "=") else { return nil }
        return normalized(String(trimmed[..<equals]))
    }

    /// A TOML basic string: quoted, with `"`, `\` and control characters escaped.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
