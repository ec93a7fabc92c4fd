import CoordTestSupport
import Foundation
import Testing

/// The README's examples are meant to work when pasted: run them as a user would, with git-coord on PATH.
@Suite struct ReadmeTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// The first ```sh block after the heading `title` (or any other line of text).
    static func shellBlock(after title: String) -> String? {
        guard let heading = readme.range(of: "\n" + title),
              let open = readme.range(of: "```sh\n", range: heading.upperBound..<readme.endIndex),
              let close = readme.range(of: "\n```", range: open.upperBound..<readme.endIndex) else { return nil }
        return String(readme[open.upperBound..<close.lowerBound])
    }

    /// Runs `script` with bash in a scratch folder, git-coord on PATH; its `mktemp -d` lands in the scratch folder.
    static func runPasted(_ script: String, exitOnError: Bool = true) throws -> ProcessResult {
        let scratch = try Scratch()
        var environment = scratch.environment
        environment["TMPDIR"] = scratch.root
        let options = exitOnError ? ["-euo", "pipefail"] : ["-u"]
        return try runProcess("/bin/bash", options + ["-c", script], in: scratch.root, environment: environment)
    }

    @Test func quickStartWorksWhenPasted() throws {
        let script = try #require(Self.shellBlock(after: "## Quick start"))
        let result = try Self.runPasted(script)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("alice  main"))
        #expect(result.stdout.contains("bob (claude)  settings"))
        #expect(result.stdout.contains("files: Settings.jsx"))
        #expect(result.stdout.contains("[settings]"))
    }

    /// The claims and notes examples continue the quick start; some of their commands answer "no" (exit 1) on
    /// purpose, so the whole runs without -e and is judged by what it printed.
    @Test func claimsAndNotesExamplesContinueTheQuickStart() throws {
        let blocks = try ["## Quick start", "## Claims, overlap checks and git hooks", "## Notes, direct messages and the inbox"]
            .map { try #require(Self.shellBlock(after: $0), "no shell example after \($0)") }
        let result = try Self.runPasted(blocks.joined(separator: "\n"), exitOnError: false)
        #expect(result.succeeded, "\(result)")
        #expect(!result.stderr.contains("fatal:"), "\(result)")
        #expect(result.stdout.contains("Sidebar.jsx: claimed by alice (main)"), "\(result)")
        #expect(result.stderr.contains("styles/dark.css: claimed by alice (main) as styles/**"), "\(result)")
        let note = " ago: Renamed getLabel to t() in src/i18n.js"  // "alice (main) 0s ago: ...", whatever the age
        let message = " ago, to you: I am adding a nav item"
        // --peek, then inbox: twice each; the second inbox shows nothing; feed shows the note (not the message).
        #expect(result.stdout.components(separatedBy: note).count - 1 == 3, "\(result)")
        #expect(result.stdout.components(separatedBy: message).count - 1 == 2, "\(result)")
    }

    @Test func wakeExampleWorksWhenPasted() throws {
        let script = try #require(Self.shellBlock(after: "Try it without an agent"))
        let result = try Self.runPasted(script, exitOnError: false)  // the Stop hook's exit 2 is the point
        #expect(result.stdout.contains("the Stop hook exited 2"), "\(result)")
        #expect(result.stdout.contains("Direct message to you from session \"bob\"")
                && result.stdout.contains("  > Your branch breaks the build, can you look?"), "\(result)")
    }

    @Test func doctorExampleContinuesTheQuickStart() throws {
        let blocks = try ["## Quick start", "### Damage and repair: `git coord doctor`"]
            .map { try #require(Self.shellBlock(after: $0), "no shell example after \($0)") }
        let result = try Self.runPasted(blocks.joined(separator: "\n") + "\necho \"last doctor: $?\"", exitOnError: false)
        #expect(!result.stderr.contains("fatal:"), "\(result)")
        let ref = "refs/coord/v1/log/0badc0ffee00"
        #expect(result.stderr.contains("warning: skipping record 4b825dc642cb of \(ref): it points at a tree"), "\(result)")
        #expect(result.stdout.contains("\(ref): broken-target: it points at a tree"), "\(result)")
        #expect(result.stdout.contains("removed \(ref): broken-target"), "\(result)")
        #expect(result.stdout.hasSuffix("last doctor: 0\n"), "\(result)")
    }

    @Test func syncExampleWorksWhenPasted() throws {
        let script = try #require(Self.shellBlock(after: "Try it with a local bare remote"))
        let result = try Self.runPasted(script)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("alice  "), "\(result)")
        #expect(result.stdout.range(of: #"bob  \[clone [0-9a-f]{12} on [^\]]+\]"#, options: .regularExpression) != nil, "\(result)")
    }
}
