#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GitCoordSystem

/// The title Claude Code generates for a session from the user's request, as it appends it to the session's
/// transcript (`{"type":"ai-title","aiTitle":"..."}`); hooks get the transcript's path. Only the title is read,
/// never anything else of the transcript, and only from its first megabyte (the title comes with the first turn).
enum TranscriptTitle {
    static let scanned = 1 << 20

    static func read(_ path: String) -> String? {
        guard let bytes = Files.readPrefix(path, limit: scanned) else { return nil }
        var title: String?
        for line in bytes.split(separator: UInt8(ascii: "\n")) where line.count < 16_384 {
            // Cheap test first: most lines are turns, tool calls and their output.
            guard line.firstRange(of: Array(#""ai-title""#.utf8)) != nil,
                  let entry = try? JSONDecoder().decode(Entry.self, from: Data(line)), entry.type == "ai-title",
                  let text = entry.aiTitle, !text.isEmpty else { continue }
            title = text
        }
        return title
    }

    private struct Entry: Decodable {
        var type: String?
        var aiTitle: String?
    }
}
