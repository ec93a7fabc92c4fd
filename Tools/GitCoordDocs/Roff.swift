/// Text in the man(7) macros that man-db and groff read: escaping, and the two kinds of source text turned into
/// it (ArgumentParser's help discussions, and the Markdown of README sections).
enum Roff {
    /// Escapes running text: backslashes, dashes (so that options copied from the page are ASCII hyphens), and a
    /// leading dot or quote, which roff would read as a request.
    static func escape(_ text: String) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
        return escaped
    }

    static func bold(_ text: String) -> String { "\\fB" + escape(text) + "\\fR" }
    static func italic(_ text: String) -> String { "\\fI" + escape(text) + "\\fR" }

    /// An ArgumentParser discussion: paragraphs of text separated by blank lines, and examples indented by two
    /// spaces, kept line for line.
    static func discussion(_ text: String) -> [String] {
        var out: [String] = []
        var example: [String] = []
        func flushExample() {
            guard !example.isEmpty else { return }
            out += [".PP", ".RS 4", ".nf"] + example.map { "\\&" + escape($0) } + [".fi", ".RE"]
            example = []
        }
        var needsParagraph = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("  ") {
                example.append(String(line.dropFirst(2)))
                needsParagraph = true
            } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
                flushExample()
                needsParagraph = true
            } else {
                flushExample()
                if needsParagraph || out.isEmpty { out.append(".PP") }
                needsParagraph = false
                out.append(escape(line))
            }
        }
        flushExample()
        return out
    }
}

/// The Markdown of the README sections the manual takes over (paragraphs, lists, tables, code blocks, `code`,
/// **bold**, [links](...)), as man(7) requests.
enum MarkdownRoff {
    static func convert(_ markdown: String) -> [String] {
        var out: [String] = []
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        while let line = lines.popFirst() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("```") {
                var code: [String] = []
                while let next = lines.popFirst(), !next.trimmingCharacters(in: .whitespaces).hasPrefix("```") { code.append(next) }
                out += [".PP", ".RS 4", ".nf"] + code.map { "\\&" + Roff.escape($0) } + [".fi", ".RE"]
            } else if trimmed.hasPrefix("|") {
                var rows = [trimmed]
                while let next = lines.first, next.trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    rows.append(next.trimmingCharacters(in: .whitespaces))
                    lines.removeFirst()
                }
                out += table(rows)
            } else if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                var item = String(trimmed.dropFirst(2))
                while let next = lines.first, next.hasPrefix("  "), !next.trimmingCharacters(in: .whitespaces).isEmpty {
                    item += " " + next.trimmingCharacters(in: .whitespaces)
                    lines.removeFirst()
                }
                out += [".IP \\(bu 2", inline(item)]
            } else {
                var paragraph = trimmed
                while let next = lines.first, !next.trimmingCharacters(in: .whitespaces).isEmpty,
                      !["```", "|", "- ", "* "].contains(where: { next.trimmingCharacters(in: .whitespaces).hasPrefix($0) }) {
                    paragraph += " " + next.trimmingCharacters(in: .whitespaces)
                    lines.removeFirst()
                }
                out += [".PP", inline(paragraph)]
            }
        }
        return out
    }

    /// A table becomes a list: the first cell is the tag; the last is the text; cells between are added to it
    /// under their column's name (`| key | default | meaning |` gives "meaning (default: 15m)").
    static func table(_ rows: [String]) -> [String] {
        func cells(_ row: String) -> [String] {
            var text = row
            if text.hasPrefix("|") { text.removeFirst() }
            if text.hasSuffix("|") { text.removeLast() }
            // A `\|` inside a cell is a literal bar.
            return text.replacingOccurrences(of: "\\|", with: "\u{1}").split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.replacingOccurrences(of: "\u{1}", with: "|").trimmingCharacters(in: .whitespaces) }
        }
        guard rows.count >= 2 else { return [] }
        let header = cells(rows[0])
        var out: [String] = []
        for row in rows.dropFirst(2) {
            let values = cells(row)
            guard let tag = values.first else { continue }
            var body = values.count > 1 ? values[values.count - 1] : ""
            for index in values.indices.dropFirst().dropLast() where !values[index].isEmpty && values[index] != "-" {
                let column = index < header.count ? header[index] : ""
                body += " (\(column): \(values[index]))"
            }
            out += [".TP", inline(tag), inline(body)]
        }
        return out
    }

    /// Inline Markdown: `code` and **bold** in bold, [text](link) as its text; everything else escaped.
    static func inline(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let first = rest.first {
            if first == "`", let end = rest.dropFirst().firstIndex(of: "`") {
                out += "\\fB" + Roff.escape(String(rest[rest.index(after: rest.startIndex)..<end])) + "\\fR"
                rest = rest[rest.index(after: end)...]
            } else if rest.hasPrefix("**"), let end = rest.dropFirst(2).range(of: "**") {
                out += "\\fB" + Roff.escape(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound])) + "\\fR"
                rest = rest[end.upperBound...]
            } else if first == "[", let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix("("),
                      let paren = rest[close...].firstIndex(of: ")") {
                out += Roff.escape(String(rest[rest.index(after: rest.startIndex)..<close]))
                rest = rest[rest.index(after: paren)...]
            } else {
                let next = rest.dropFirst().firstIndex { $0 == "`" || $0 == "*" || $0 == "[" } ?? rest.endIndex
                out += Roff.escape(String(rest[..<next]))
                rest = rest[next...]
            }
        }
        // A line of running text must not start with a dot or a quote (escape did that only for the first piece).
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }
}
