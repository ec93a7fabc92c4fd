import Foundation
import Testing

/// The README's reference section is where the manual's CONFIGURATION comes from (git-coord-docs copies it):
/// every key the code reads, and every key the README mentions, must be in its table; every variable the code reads
/// in its environment table.
@Suite struct DocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func matches(_ pattern: String, in text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: pattern)
        return Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        })
    }

    @Test func everyConfigurationKeyIsInTheReadmeTable() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "\n### Configuration\n"))
        let end = try #require(readme.range(of: "\n### ", range: start.upperBound..<readme.endIndex))
        let table = Self.matches(#"\n\| `([^`]+)` \|"#, in: String(readme[start.lowerBound..<end.lowerBound]))

        var sources = ""
        let files = FileManager.default.enumerator(at: Self.root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            if file.pathExtension == "swift" { sources += try String(contentsOf: file, encoding: .utf8) }
        }
        let read = Self.matches(#""(coord\.[a-zA-Z]+)""#, in: sources)
        // `coord.x` in prose and examples; not `git-coord.sessions/1` (a JSON schema name).
        let mentioned = Self.matches(#"(?<![-\w])(coord\.[a-z][a-zA-Z]+)"#, in: readme)
        #expect(read.count >= 12, "\(read)")
        #expect(read.subtracting(table).isEmpty, "keys the code reads but the README's table lacks: \(read.subtracting(table))")
        #expect(mentioned.subtracting(table).isEmpty, "keys the README mentions but its table lacks: \(mentioned.subtracting(table))")
        #expect(table.contains("remote.<name>.coord"))

        // The same for the environment variables the code reads.
        let environmentStart = try #require(readme.range(of: "\n### Environment\n"))
        let environmentEnd = try #require(readme.range(of: "\n### ", range: environmentStart.upperBound..<readme.endIndex))
        let documented = String(readme[environmentStart.lowerBound..<environmentEnd.lowerBound])
        let variables = Self.matches(#""((?:GIT_COORD|CLAUDE|CODEX|GEMINI)_[A-Z_]+)""#, in: sources)
        #expect(variables.count >= 7, "\(variables)")
        for variable in variables { #expect(documented.contains("`\(variable)`"), "the README's environment table lacks \(variable)") }
    }
}
