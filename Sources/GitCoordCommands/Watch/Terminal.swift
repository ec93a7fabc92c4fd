#if canImport(Glibc)
import Glibc
#endif

/// The terminal `git coord watch` draws on, written with the few ECMA-48 sequences every terminal emulator knows:
/// the alternate screen (so the user's scrollback is left as it was), a hidden cursor, home, erase to end of line
/// and of screen, and SGR colours. Keys are read one at a time, without echo (termios), while Ctrl-C still sends
/// SIGINT. `restore()` puts everything back, and runs however the view ends.
///
/// No terminal library of those available fits: onevcat/Rainbow only colours strings and imports full Foundation
/// (measured on this machine kind: 2.3 ms more at every start of a static binary, and 12 MB, and `git-coord` is
/// the binary every hook starts); vapor/console-kit brings swift-nio and Foundation and has no raw keys, alternate
/// screen or resize handling either.
final class Terminal {
    private var saved: termios?
    private(set) var active = false

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Rows and columns of the terminal on stdout (24 by 80 when it does not say).
    static func size() -> (rows: Int, columns: Int) {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 {
            return (Int(size.ws_row), Int(size.ws_col))
        }
        return (24, 80)
    }

    /// Takes over the screen: keys without echo (when stdin is a terminal), alternate screen, cursor hidden.
    func enter() {
        if Self.isTerminal(0) {
            var settings = termios()
            if tcgetattr(0, &settings) == 0 {
                saved = settings
                settings.c_lflag &= ~tcflag_t(ICANON | ECHO)
                withUnsafeMutableBytes(of: &settings.c_cc) { cc in
                    cc[Int(VMIN)] = 1
                    cc[Int(VTIME)] = 0
                }
                tcsetattr(0, TCSANOW, &settings)
            }
        }
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J")
        active = true
    }

    /// Gives the screen back as it was.
    func restore() {
        guard active else { return }
        active = false
        write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
        if var settings = saved { tcsetattr(0, TCSANOW, &settings) }
    }

    /// Draws a whole frame from the top: each line erased to its end, the rest of the screen cleared.
    func draw(_ lines: [String], clearFirst: Bool = false) {
        var frame = clearFirst ? "\u{1B}[2J" : ""
        frame += "\u{1B}[H"
        frame += lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n")
        frame += "\u{1B}[J"
        write(frame)
    }

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += count
        }
        bytes.removeAll()
    }
}

/// A line of the view: pieces of text, each with a style; cut to the terminal's width before styling, so that
/// escape sequences never count as width and a cut never splits one.
struct StyledLine {
    enum Style: String {
        case plain = "", bold = "1", dim = "2", changed = "1;33", heading = "1;36", warning = "33", muted = "90"
    }

    var spans: [(text: String, style: Style)] = []

    init(_ text: String = "", _ style: Style = .plain) {
        if !text.isEmpty { spans.append((text, style)) }
    }

    mutating func add(_ text: String, _ style: Style = .plain) {
        if !text.isEmpty { spans.append((text, style)) }
    }

    var text: String { spans.map(\.text).joined() }

    /// The line cut to `width` columns ("…" marks a cut), with SGR colours when `colors`.
    func rendered(width: Int, colors: Bool) -> String {
        let total = spans.reduce(0) { sum, span in sum + span.text.reduce(0) { $0 + Self.columns($1) } }
        let limit = total <= width ? width : max(0, width - 1)
        var out = ""
        var used = 0
        for span in spans {
            var piece = ""
            var full = false
            for character in span.text {
                let columns = Self.columns(character)
                if used + columns > limit {
                    full = true
                    break
                }
                piece.append(character)
                used += columns
            }
            if !piece.isEmpty {
                out += colors && span.style != .plain ? "\u{1B}[\(span.style.rawValue)m\(piece)\u{1B}[0m" : piece
            }
            if full { break }
        }
        return total > width && width > 0 ? out + "…" : out
    }

    /// Columns a character takes: two for the wide East Asian and emoji ranges, else one.
    static func columns(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first?.value else { return 1 }
        switch scalar {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
             0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
