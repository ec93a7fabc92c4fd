// libFuzzer target: path and pattern handling (lexical normalisation, the existing-prefix search, libgit2 pathspecs,
// claim overlap rules) and the other small parsers of command-line text (durations, display escaping). The input is
// "pattern NUL path". Properties: nothing crashes or runs away (libFuzzer's -timeout catches quadratic work);
// normalisation is idempotent; a claim always covers its own literal path; escaped JSON decodes to the same text.
// Built by `make fuzz` / `make test` only (Package.swift adds it when GIT_COORD_FUZZ=1).
@testable import GitCoordCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPaths(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let pattern = String(decoding: bytes[..<split], as: UTF8.self)
    let path = String(decoding: bytes[min(split + 1, bytes.endIndex)...], as: UTF8.self)

    let normalised = Repository.lexicallyNormalised("/" + path)
    guard Repository.lexicallyNormalised(normalised) == normalised else { fatalError("normalising twice changes \(normalised)") }
    _ = Repository.resolveExistingPrefix("/tmp/git-coord-fuzz" + normalised)

    let relative = String(normalised.dropFirst())
    for kind in [ClaimKind.file, .directory] where !relative.isEmpty {
        let claim = ClaimMatcher(ClaimPattern(text: relative, kind: kind))
        guard claim.covers(relative) else { fatalError("a \(kind) claim does not cover its own path \(relative)") }
    }
    if let pathspec = try? Pathspec(pattern) {
        let ours = pathspec.matches(relative)
        // Differential: libgit2's matcher agrees where its backtracking is cheap enough to ask it, on patterns a
        // claim can hold. (libgit2 reads a leading "#" as a comment, trims edge whitespace and slashes in its own
        // ways and takes "." for everything; git, and claims, do not.)
        if pattern.utf8.filter({ $0 == UInt8(ascii: "*") }).count <= 3 && relative.utf8.count <= 64, !relative.isEmpty,
           let first = pattern.utf8.first, let last = pattern.utf8.last, !"/!#.".utf8.contains(first), !isSpace(first),
           last != UInt8(ascii: "/"), !isSpace(last), !relative.utf8.contains(0),
           !pattern.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }),  // refused as claims; libgit2 stops at a newline
           ours != pathspec.libgit2Matches(relative) {
            fatalError("pattern \(Array(pattern.utf8)) on \(Array(relative.utf8)): ours \(ours), libgit2 \(!ours)")
        }
    }
    let wildcard = ClaimMatcher(ClaimPattern(text: pattern, kind: .pattern))
    _ = wildcard.covers(relative)
    _ = wildcard.overlaps(ClaimMatcher(ClaimPattern(text: relative, kind: .directory)))
    _ = ClaimPattern(text: pattern, kind: .pattern).literalPrefix

    if let seconds = try? DurationParser.seconds(pattern), !(seconds >= 0 && seconds <= DurationParser.maximum) {
        fatalError("duration \(pattern) parsed as \(seconds)")
    }
    let shown = Display.neutralised(path)
    if Display.hasUnsafe(shown) { fatalError("neutralised text still holds an invisible code point") }
    _ = Display.abbreviated(path, limit: 16)
    if let json = try? JSONEncoder().encode([path]) {
        let escaped = Display.escapingInvisibles(inJSON: String(decoding: json, as: UTF8.self))
        guard let back = try? JSONDecoder().decode([String].self, from: Data(escaped.utf8)), back == [path] else {
            fatalError("escaped JSON does not decode to the same text: \(escaped)")
        }
    }
    return 0
}

private func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (9...13).contains(byte) }
