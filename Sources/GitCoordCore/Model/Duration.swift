#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Durations as people write them on a command line: `90s`, `15m`, `2h`, `1d`, `1h30m`; a bare number is seconds.
public enum DurationParser {
    public static func seconds(_ text: String) throws -> Double {
        let trimmed = String(text.filter { !$0.isWhitespace }).lowercased()
        if let plain = Double(trimmed), plain >= 0, plain.isFinite { return plain }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in trimmed {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number), let unit = unitSeconds[character] else {
                throw CoordError.invalidDuration(text)
            }
            total += value * unit
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total.isFinite else { throw CoordError.invalidDuration(text) }
        return total
    }

    private static let unitSeconds: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800]
}

/// "12s", "5m", "3h", "2d": how long ago, compactly.
public func formatAge(_ seconds: Double) -> String {
    let s = max(0, Int(seconds))
    switch s {
    case ..<60: return "\(s)s"
    case ..<3600: return "\(s / 60)m"
    case ..<86400: return "\(s / 3600)h"
    default: return "\(s / 86400)d"
    }
}
