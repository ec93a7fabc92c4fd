import CoordTestSupport
import Foundation
import Testing

/// What makes a commit of many claimed files cheap must never make its warning wrong: claim records kept by the
/// check of many paths (`.git/coord/cache/coord-v1-claims-checked`), and claim refs found loose or packed.
@Suite struct CommitCheckTests {
    static let checkCache = "/.git/coord/cache/coord-v1-claims-checked"
    static let files = (0..<20).map { "many/f\($0).txt" }

    /// alice (main worktree) claims twenty files; bob (worktree "bob") has a session of his own.
    static func claimedFiles() throws -> (Scratch, bobTree: String) {
        let scratch = try Scratch()
        for file in files { try scratch.write(file, "\(file)\n") }
        try scratch.git("add", ".")
        try scratch.git("commit", "-q", "-m", "files")
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alice")
        let claimed = try scratch.coord(["claim", "--reason", "first"] + files)
        #expect(claimed.succeeded, "\(claimed)")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", in: bobTree)
        return (scratch, bobTree)
    }

    func check(_ scratch: Scratch, in bobTree: String) throws -> ProcessResult {
        try scratch.coord(["check"] + Self.files, in: bobTree)
    }

    @Test func aCheckOfManyPathsKeepsTheClaimsItFoundAndNeverShowsAStaleOne() throws {
        let (scratch, bobTree) = try Self.claimedFiles()
        let cache = scratch.repo + Self.checkCache
        let first = try check(scratch, in: bobTree)
        #expect(first.status == 1 && first.stdout.components(separatedBy: "reason: first").count == 21, "\(first)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: cache)).starts(with: Data("git-coord head cache 1\n".utf8)))
        #expect(try check(scratch, in: bobTree).stdout == first.stdout, "the same answer from the kept records")

        // A claim claimed again is a new record: the check shows it, not the one it kept.
        try scratch.coordOK("claim", "--reason", "second", "many/f3.txt")
        let renewed = try check(scratch, in: bobTree)
        #expect(renewed.stdout.contains("many/f3.txt: claimed by alice (main) since") && renewed.stdout.contains("reason: second"),
                "\(renewed)")
        #expect(renewed.stdout.components(separatedBy: "reason: first").count == 20, "\(renewed)")
        // A released claim is no longer reported, whatever was kept.
        try scratch.coordOK("release", "many/f4.txt")
        let released = try check(scratch, in: bobTree)
        #expect(!released.stdout.contains("many/f4.txt"), "\(released)")

        // A damaged file is an empty cache: the same answer, and the file is written again.
        for damage in [Data("garbage".utf8), Data(), try Data(contentsOf: URL(fileURLWithPath: cache)).dropLast(3)] {
            try damage.write(to: URL(fileURLWithPath: cache))
            let again = try check(scratch, in: bobTree)
            #expect(again.stdout == released.stdout && again.stderr.isEmpty, "\(again)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: cache)).starts(with: Data("git-coord head cache 1\n".utf8)))
        }
        // So does the commit hook, through the same check.
        for file in Self.files { try scratch.write(file, "bob\n", in: bobTree) }
        try scratch.git("add", "many", in: bobTree)
        let commit = try runProcess("/usr/bin/git", ["commit", "-q", "-m", "bob"], in: bobTree, environment: scratch.environment)
        #expect(commit.succeeded && commit.stderr.contains("git-coord: many/f0.txt: claimed by alice"), "\(commit)")
        #expect(!commit.stderr.contains("many/f4.txt"), "\(commit)")
    }

    @Test func aFewPathsAreCheckedWithoutTheKeptRecords() throws {
        let (scratch, bobTree) = try Self.claimedFiles()
        let few = try scratch.coord(["check", "many/f1.txt", "many/f2.txt"], in: bobTree)
        #expect(few.status == 1 && few.stdout.contains("many/f2.txt: claimed by alice"), "\(few)")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + Self.checkCache))
    }

    @Test func claimsAreFoundWhetherTheirRefsAreLooseOrPacked() throws {
        let (scratch, bobTree) = try Self.claimedFiles()
        let loose = try check(scratch, in: bobTree)
        // `git gc` packs every ref, ours included: the loose files are gone, the claims are in packed-refs.
        try scratch.git("pack-refs", "--all")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.git/refs/coord/v1/claims/paths"))
        let packed = try check(scratch, in: bobTree)
        #expect(packed.status == 1 && packed.stdout == loose.stdout, "\(packed)")
        let one = try scratch.coord(["check", "many/f5.txt"], in: bobTree)
        #expect(one.status == 1 && one.stdout.contains("many/f5.txt: claimed by alice"), "\(one)")

        // A claim written since is loose beside the packed ones; a packed one released is gone from both.
        try scratch.write("late.txt", "late\n")
        try scratch.coordOK("claim", "late.txt")
        try scratch.coordOK("release", "many/f6.txt")
        let mixed = try scratch.coord(["check", "late.txt"] + Self.files, in: bobTree)
        #expect(mixed.stdout.contains("late.txt: claimed by alice") && !mixed.stdout.contains("many/f6.txt"), "\(mixed)")
        #expect(mixed.stdout.contains("many/f7.txt: claimed by alice"), "\(mixed)")
        // And a loose ref file git-coord would not write (uppercase digits) is still read.
        let hash = try runProcess("/bin/sh", ["-c", "printf %s late.txt | git hash-object --stdin"], in: scratch.repo,
                                  environment: scratch.environment).output
        let ref = scratch.repo + "/.git/refs/coord/v1/claims/paths/" + hash
        let target = try String(contentsOfFile: ref, encoding: .utf8)
        try Data(target.uppercased().utf8).write(to: URL(fileURLWithPath: ref))
        let upper = try scratch.coord(["check", "late.txt"], in: bobTree)
        #expect(upper.status == 1 && upper.stdout.contains("late.txt: claimed by alice"), "\(upper)")
    }
}
