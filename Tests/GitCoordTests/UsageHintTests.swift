import CoordTestSupport
import Foundation
import Testing

/// Mistakes lead somewhere: the closest command or option is suggested, and a mistake still exits 64.
@Suite struct UsageHintTests {
    @Test(arguments: [
        (["lst"], "Unexpected argument 'lst'. Did you mean 'list'?"),
        (["wortrees"], "Did you mean 'worktrees'?"),
        (["stat"], "Did you mean 'start'?"),
        (["clam", "x.txt"], "For 'clam', did you mean 'claim'?"),
        (["list", "--jsn"], "Did you mean '--json'?"),
        (["--verson"], "Did you mean '--version'?"),
        (["sync", "--wach", "1s"], "Did you mean '--watch'?"),
        (["hook", "pre-comit"], "Did you mean 'pre-commit'?"),
        (["hook", "clade"], "Did you mean 'claude'?"),
        (["claims", "--session", "x", "--tken"], "Did you mean '--taken'?"),
    ])
    func aTypoGetsTheClosestName(arguments: [String], suggestion: String) throws {
        let scratch = try Scratch()
        let result = try scratch.coord(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(suggestion), "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test func nothingCloseMeansNoGuess() throws {
        let scratch = try Scratch()
        let far = try scratch.coord(["frobnicate"])
        #expect(far.status == 64 && far.stderr.contains("Unexpected argument 'frobnicate'"), "\(far)")
        #expect(!far.stderr.contains("Did you mean"), "\(far)")
        // The hidden commands for the completion scripts are never offered.
        let near = try scratch.coord(["complet"])
        #expect(!near.stderr.contains("'complete'"), "\(near)")
        // A value of an option is not mistaken for a subcommand.
        let value = try scratch.coord(["list", "--files", "lst"])
        #expect(value.status == 64 && !value.stderr.contains("'list'?"), "\(value)")
    }
}
