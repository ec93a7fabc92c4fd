#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A strict, minimal JSON reader for the records read by the thousand (an inbox of a thousand items, a listing of a
/// thousand claims), where `JSONDecoder`'s generic machinery costs more than reading the objects from git.
///
/// It reads exactly the shapes git-coord writes and throws `Unsupported` at anything else (an unknown key, a
/// number with a fraction or an exponent, a duplicate key): the caller then decodes with `JSONDecoder`, so a record
/// decodes to the same value either way, only faster when it is one of ours.
struct JSONScanner {
    struct Unsupported: Error {}

    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Scans `data` with `body`, which must consume one whole value; trailing bytes other than whitespace are refused.
    static func scan<T>(_ data: Data, _ body: (inout JSONScanner) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            let value = try body(&scanner)
            scanner.skipWhitespace()
            guard scanner.offset == raw.count else { throw Unsupported() }
            return value
        }
    }

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard current == byte else { throw Unsupported() }
        offset += 1
    }

    /// Calls `member` with each key of an object, in order; `member` must consume the value. Duplicate keys are
    /// refused (decoders disagree on which one wins).
    mutating func object(_ member: (inout JSONScanner, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return
        }
        var seen: Set<String> = []
        while true {
            let key = try string()
            guard seen.insert(key).inserted else { throw Unsupported() }
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            skipWhitespace()
            guard let byte = current else { throw Unsupported() }
            offset += 1
            if byte == UInt8(ascii: "}") { return }
            guard byte == UInt8(ascii: ",") else { throw Unsupported() }
        }
    }

    /// `object` for records with known keys: `member` gets the index of each key in `keys`. An unknown key, a key
    /// written with escapes, or a key seen twice is `Unsupported`. No string is made for the keys.
    /// Its loop is the same as `object`'s and `array`'s, written out: one loop shared through a closure cost 12,000
    /// instructions more in a PreToolUse hook (callgrind), which scans every session record.
    mutating func object(keys: [StaticString], _ member: (inout JSONScanner, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return
        }
        var seen: UInt64 = 0
        while true {
            try expect(UInt8(ascii: "\""))
            let start = offset
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { offset += 1 }
            guard current == UInt8(ascii: "\"") else { throw Unsupported() }
            let name = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
            offset += 1
            guard let index = keys.firstIndex(where: { key in
                key.utf8CodeUnitCount == name.count && name.elementsEqual(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            }), seen & (1 << index) == 0 else { throw Unsupported() }
            seen |= 1 << index
            try expect(UInt8(ascii: ":"))
            try member(&self, index)
            skipWhitespace()
            guard let byte = current else { throw Unsupported() }
            offset += 1
            if byte == UInt8(ascii: "}") { return }
            guard byte == UInt8(ascii: ",") else { throw Unsupported() }
        }
    }

    /// Calls `element` for each element of an array; `element` must consume it.
    mutating func array(_ element: (inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            guard let byte = current else { throw Unsupported() }
            offset += 1
            if byte == UInt8(ascii: "]") { return }
            guard byte == UInt8(ascii: ",") else { throw Unsupported() }
        }
    }

    /// Whether the next value is `null` (consumed if so).
    mutating func null() -> Bool {
        skipWhitespace()
        return literal("null")
    }

    /// `true` or `false`.
    mutating func boolean() throws -> Bool {
        skipWhitespace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw Unsupported()
    }

    /// Whether `word` comes next (consumed if so).
    @inline(__always)
    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        for index in 0..<count where bytes[offset + index] != word.utf8Start[index] { return false }
        offset += count
        return true
    }

    /// A string that is one of `T`'s raw values (the kinds and states in records).
    mutating func value<T: RawRepresentable>(_ type: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw Unsupported() }
        return value
    }

    /// `null`, or a string.
    mutating func optionalString() throws -> String? { null() ? nil : try string() }

    /// `null`, or an integer.
    mutating func optionalInteger() throws -> Int64? { null() ? nil : try integer() }

    /// An integer written as digits (with an optional minus): no fraction, no exponent, within Int64.
    mutating func integer() throws -> Int64 {
        skipWhitespace()
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        let start = offset
        var value: Int64 = 0
        while let byte = current, byte >= 0x30 && byte <= 0x39 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow1 && !overflow2 else { throw Unsupported() }
            value = sum
            offset += 1
        }
        let digits = offset - start
        guard digits > 0, digits == 1 || bytes[start] != 0x30 else { throw Unsupported() }
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw Unsupported()
        }
        return negative ? -value : value
    }

    /// A string, its escapes resolved; invalid UTF-8, a lone surrogate or a raw control character is refused.
    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        var bits: UInt8 = 0
        // The common case: no escape at all, taken as one slice.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw Unsupported() }
            bits |= byte
            offset += 1
        }
        guard let stop = current else { throw Unsupported() }
        if stop == UInt8(ascii: "\"") {
            defer { offset += 1 }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
            // ASCII is valid UTF-8 as it is: no validation pass (ids, names, paths, times are ASCII).
            if bits < 0x80 { return String(decoding: slice, as: UTF8.self) }
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw Unsupported()
            }
            return text
        }
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while true {
            guard let byte = current else { throw Unsupported() }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw Unsupported() }
                return text
            case UInt8(ascii: "\\"):
                guard let escaped = current else { throw Unsupported() }
                offset += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard current == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u") else {
                            throw Unsupported()
                        }
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw Unsupported() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Unsupported() }
                    utf8.append(contentsOf: String(Character(unicode)).utf8)
                default: throw Unsupported()
                }
            default:
                guard byte >= 0x20 else { throw Unsupported() }
                utf8.append(byte)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw Unsupported() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x61 + 10
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: throw Unsupported()
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }
}

/// A payload that can be read by `JSONScanner` when it is in the shape git-coord writes. `scanned` returns nil for
/// anything else, and `RecordStore.decode` then uses `JSONDecoder`: either way the same value. (Kinds reach it
/// through `RecordKind.scanned`, a static requirement: a dynamic cast would cost a search of every protocol
/// conformance in the binary, once per process and type.)
protocol ScannableRecord {
    static func scanned(_ data: Data) -> Self?
}
