import CoordTestSupport
import Foundation
import Testing

/// The README's examples are meant to work when pasted: run them as a user would, with git-coord on PATH.
@Suite struct ReadmeTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// The first ```sh block after the heading `title`.
    static func shellBlock(after title: String) -> String? {
        guard let heading = readme.range(of: "\n" + title + "\n"),
              let open = readme.range(of: "```sh\n", range: heading.upperBound..<readme.endIndex),
              let close = readme.range(of: "\n```", range: open.upperBound..<readme.endIndex) else { return nil }
        return String(readme[open.upperBound..<close.lowerBound])
    }

    @Test func quickStartWorksWhenPasted() throws {
        let script = try #require(Self.shellBlock(after: "## Quick start"))
        let scratch = try Scratch()
        var environment = scratch.environment
        environment["TMPDIR"] = scratch.root  // the example's mktemp -d lands in the scratch folder, removed after
        let result = try runProcess("/bin/bash", ["-euo", "pipefail", "-c", script], in: scratch.root,
                                    environment: environment)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("alice  main"))
        #expect(result.stdout.contains("bob (claude)  settings"))
        #expect(result.stdout.contains("files: Settings.jsx"))
        #expect(result.stdout.contains("[settings]"))
    }
}
