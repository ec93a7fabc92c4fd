/// Text from other sessions (or another clone) is stored exactly as given and neutralised only when shown on a
/// terminal or handed to a model: every code point that is not plainly visible becomes a visible escape, so
/// nothing another session wrote can move the cursor, recolour the screen, reorder what the reader sees, or
/// carry words that a reader cannot see but a model reads (Unicode TAG characters spell ASCII invisibly).
///
/// The rule is by class, not by list: controls (Cc), format characters (Cf: bidi controls, zero-width
/// characters, TAGs), line and paragraph separators, private-use, unassigned and noncharacter code points, and
/// every default-ignorable code point (variation selectors, Hangul fillers, ...). The one exception keeps emoji
/// whole: one text/emoji presentation selector (U+FE0E, U+FE0F) right after an emoji, and a zero-width joiner
/// between two emoji (as in 👩‍💻), are shown as they are.
public enum Display {
    public static func neutralised(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        forEachScalar(of: text) { scalar, escaped in
            guard escaped else { return out.unicodeScalars.append(scalar) }
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// True when the text holds anything `neutralised` would change.
    public static func hasUnsafe(_ text: String) -> Bool {
        var previous: Unicode.Scalar?
        var iterator = text.unicodeScalars.makeIterator()
        var next = iterator.next()
        while let scalar = next {
            next = iterator.next()
            if isUnsafe(scalar, after: previous, before: next) { return true }
            previous = scalar
        }
        return false
    }

    /// JSON for a reader that may be a terminal or a model (`--json`, the MCP server): the same document, but each
    /// code point `neutralised` would escape is written as a JSON `\u` escape, so it decodes to the same raw text
    /// and shows as visible characters. Only non-ASCII scalars change: a JSON encoder escapes ASCII controls itself.
    public static func escapingInvisibles(inJSON json: String) -> String {
        // Only non-ASCII scalars change, so a document of ASCII alone (nearly every one) is returned as it is, after
        // a scan of its bytes: a listing's JSON is tens of kilobytes, and a scalar-by-scalar look at it was half of
        // what `list --json` cost.
        guard json.utf8.contains(where: { $0 >= 0x80 }) else { return json }
        var out = ""
        out.reserveCapacity(json.utf8.count + 64)
        forEachScalar(of: json) { scalar, escaped in
            guard escaped, scalar.value > 0x7F else { return out.unicodeScalars.append(scalar) }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }

    /// At most `limit` characters of `text`, neutralised, with how much was left out: for naming a huge input
    /// (a path of megabytes) in a one-line message.
    public static func abbreviated(_ text: String, limit: Int = 80) -> String {
        guard text.utf8.count > limit else { return neutralised(text) }
        let head = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
        return neutralised(head) + "... (\(text.utf8.count) bytes)"
    }

    /// Calls `body` with each scalar of `text` and whether it must be escaped.
    private static func forEachScalar(of text: String, _ body: (Unicode.Scalar, Bool) -> Void) {
        var previous: Unicode.Scalar?
        var iterator = text.unicodeScalars.makeIterator()
        var next = iterator.next()
        while let scalar = next {
            next = iterator.next()
            body(scalar, isUnsafe(scalar, after: previous, before: next))
            previous = scalar
        }
    }

    static func isUnsafe(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar? = nil, before next: Unicode.Scalar? = nil) -> Bool {
        let value = scalar.value
        if value >= 0x20 && value < 0x7F { return false }  // printable ASCII, the common case
        if value < 0xA0 { return true }                    // C0, DEL, C1 (CSI is 0x9B)
        switch value {
        case 0xFE0E, 0xFE0F:  // text or emoji presentation of the emoji just before
            if let previous, previous.properties.isEmoji { return false }
        case 0x200D:          // zero-width joiner inside an emoji sequence
            if let previous, let next, isEmojiPart(previous), isPictographic(next) { return false }
        default:
            break
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return true
        default:
            return properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint
        }
    }

    private static func isPictographic(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x7F && scalar.properties.isEmoji
    }

    private static func isEmojiPart(_ scalar: Unicode.Scalar) -> Bool {
        isPictographic(scalar) || scalar.value == 0xFE0F || scalar.properties.isEmojiModifier
    }
}
