/// Text from other sessions (or another clone) is stored exactly as given and neutralised only when shown on a
/// terminal: control characters, escape sequences and bidirectional overrides become visible escapes, so nothing
/// another session wrote can move the cursor, recolour the screen or reorder what the reader sees.
public enum Display {
    public static func neutralised(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                switch scalar {
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true            // C0, DEL, C1 (CSI is 0x9B)
        case 0x202A...0x202E, 0x2066...0x2069: return true    // bidirectional embeddings and isolates
        case 0x200B...0x200F, 0x2028, 0x2029, 0xFEFF: return true  // invisible and line-breaking
        default: return false
        }
    }

    /// True when the text holds anything `neutralised` would change.
    public static func hasUnsafe(_ text: String) -> Bool { text.unicodeScalars.contains(where: isUnsafe) }
}
