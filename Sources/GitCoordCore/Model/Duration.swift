#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Durations as people write them on a command line: `90s`, `15m`, `2h`, `1d`, `1h30m`; a bare number is seconds.
///
/// Read byte by byte as ASCII, with no collection types: hooks parse `coord.syncInterval` on every run.
public enum DurationParser {
    public static func seconds(_ text: String) throws -> Double {
        var total = 0.0
        var number: [UInt8] = []
        var sawUnit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."): number.append(byte)
            default:
                // ASCII letters in either case; anything else is no unit.
                guard let unit = unitSeconds(byte | 0x20), let value = Double(String(decoding: number, as: UTF8.self)) else {
                    throw CoordError.invalidDuration(text)
                }
                total += value * unit
                number = []
                sawUnit = true
            }
        }
        if !sawUnit {
            guard let plain = Double(String(decoding: number, as: UTF8.self)), plain.isFinite else { throw CoordError.invalidDuration(text) }
            return plain
        }
        guard number.isEmpty, total.isFinite else { throw CoordError.invalidDuration(text) }
        return total
    }

    /// A switch, not a dictionary: the first use of a `[UInt8: Double]` in a process instantiates its type metadata
    /// from a mangled name, which alone costs as much as the rest of the parse many times over.
    private static func unitSeconds(_ unit: UInt8) -> Double? {
        switch unit {
        case UInt8(ascii: "s"): return 1
        case UInt8(ascii: "m"): return 60
        case UInt8(ascii: "h"): return 3600
        case UInt8(ascii: "d"): return 86400
        case UInt8(ascii: "w"): return 604800
        default: return nil
        }
    }
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
