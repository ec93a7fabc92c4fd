#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Durations as people write them on a command line: `90s`, `15m`, `2h`, `1d`, `1h30m`; a bare number is seconds.
///
/// Read byte by byte as ASCII, with no collection types: hooks parse `coord.syncInterval` on every run.
public enum DurationParser {
    /// The longest duration git-coord takes anywhere (a claim, a TTL, a retention): a year. Longer ones are
    /// mistakes (`--ttl 99999999999h` would expire in the year 11,409,972) and are refused, not clamped.
    public static let maximum: Double = 365 * 86400
    /// What the accepted forms are, for messages.
    public static let forms = "a number and a unit (s, m, h, d or w), as in 90s, 15m, 2h, 1d or 1h30m; at most 365d"

    /// Throws `invalidDuration` for text that is not a duration, `durationTooLong` past `maximum`.
    public static func seconds(_ text: String) throws -> Double {
        let seconds = try unbounded(text)
        guard seconds <= maximum else { throw CoordError.durationTooLong(text) }
        return seconds
    }

    private static func unbounded(_ text: String) throws -> Double {
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

extension Repository {
    /// The config value `key` as a duration; nil when unset. A value that is not one, or is out of range (over a
    /// year; zero when `positive`), throws `invalidSetting`, which names the key, the value and what to write.
    public func durationSetting(_ key: String, example: String, positive: Bool = false) throws -> Double? {
        guard let text = configString(key) else { return nil }
        let seconds: Double
        do {
            seconds = try DurationParser.seconds(text)
        } catch CoordError.durationTooLong {
            throw CoordError.invalidSetting(key: key, value: text, problem: "that is longer than a year", example: example)
        } catch {
            throw CoordError.invalidSetting(key: key, value: text, problem: "that is not a duration", example: example)
        }
        if positive && seconds <= 0 {
            throw CoordError.invalidSetting(key: key, value: text, problem: "it must be longer than zero", example: example)
        }
        return seconds
    }

    /// The same for a setting every command and hook reads: a bad value is a warning (appended to `warnings`)
    /// and `fallback` is used, so that one typo in the config never stops a hook, nor every command.
    public func durationSetting(_ key: String, or fallback: Double, example: String, positive: Bool = false,
                                warnings: inout [String]) -> Double {
        do {
            return try durationSetting(key, example: example, positive: positive) ?? fallback
        } catch let error as CoordError {
            warnings.append(error.description + "; using \(example) until it is fixed ('git config \(key) \(example)', "
                + "or 'git config --unset \(key)')")
            return fallback
        } catch {
            return fallback
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
