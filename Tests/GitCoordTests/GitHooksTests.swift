import Testing
import Foundation
import CoordTestSupport

/// The git hooks, end to end: installed by the real binary, run by real `git commit` and `git switch`.
@Suite struct GitHooksTests {
    static let hookNames = ["pre-commit", "post-checkout", "post-commit", "post-merge"]

    /// alice (main worktree) claims src/a.js; bob works in worktree "bob".
    static func twoSessions() throws -> (Scratch, bobTree: String) {
        let scratch = try Scratch()
        try scratch.write("src/a.js", "a\n")
        try scratch.git("add", ".")
        try scratch.git("commit", "-q", "-m", "sources")
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alice", "--task", "Restyle the sidebar")
        try scratch.coordOK("claim", "src/a.js")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", "--task", "Router", in: bobTree)
        return (scratch, bobTree)
    }

    func commit(_ scratch: Scratch, in directory: String, _ extra: String...) throws -> ProcessResult {
        try runProcess("/usr/bin/git", ["commit", "-q", "-m", "change"] + extra, in: directory, environment: scratch.environment)
    }

    @Test func aCommitOfAClaimedFileWarnsWithTheHolderAndSucceeds() throws {
        let (scratch, bobTree) = try Self.twoSessions()
        try scratch.write("src/a.js", "bob was here\n", in: bobTree)
        try scratch.git("add", "src/a.js", in: bobTree)
        let result = try commit(scratch, in: bobTree)
        #expect(result.succeeded, "\(result)")
        #expect(result.stderr.contains("git-coord: src/a.js: claimed by alice (main)"))
        #expect(result.stderr.contains("task: Restyle the sidebar"))
        #expect(try scratch.git("log", "-1", "--format=%s", in: bobTree) == "change")

        // Renames and deletions count, and `git commit -a` (a temporary index) too.
        try scratch.git("mv", "src/a.js", "src/renamed.js", in: bobTree)
        let renamed = try commit(scratch, in: bobTree)
        #expect(renamed.succeeded && renamed.stderr.contains("src/a.js: claimed by alice"), "\(renamed)")
        try scratch.write("src/renamed.js", "again\n", in: bobTree)
        try scratch.coordOK("claim", "src/renamed.js")
        let all = try commit(scratch, in: bobTree, "-a")
        #expect(all.succeeded && all.stderr.contains("src/renamed.js: claimed by alice"), "\(all)")

        // A commit touching nobody's files is silent.
        try scratch.write("free.txt", "free\n", in: bobTree)
        try scratch.git("add", "free.txt", in: bobTree)
        let quiet = try commit(scratch, in: bobTree)
        #expect(quiet.succeeded && quiet.stderr.isEmpty, "\(quiet)")
    }

    /// `git commit PATH` commits a temporary index holding only PATH's change: the hook reads that one, not the
    /// worktree's index, where a claimed file is staged but not part of this commit.
    @Test func aCommitOfSomePathsChecksOnlyWhatItCommits() throws {
        let (scratch, bobTree) = try Self.twoSessions()
        try scratch.write("src/a.js", "staged, not committed\n", in: bobTree)
        try scratch.git("add", "src/a.js", in: bobTree)
        try scratch.write("free.txt", "free\n", in: bobTree)
        try scratch.git("add", "free.txt", in: bobTree)
        let some = try commit(scratch, in: bobTree, "--", "free.txt")
        #expect(some.succeeded && some.stderr.isEmpty, "\(some)")
        #expect(try scratch.git("diff", "--cached", "--name-only", in: bobTree) == "src/a.js")
        let rest = try commit(scratch, in: bobTree)
        #expect(rest.succeeded && rest.stderr.contains("src/a.js: claimed by alice"), "\(rest)")
    }

    @Test func strictModeRefusesTheCommitAndNoVerifyBypassesIt() throws {
        let (scratch, bobTree) = try Self.twoSessions()
        try scratch.git("config", "coord.strict", "true")
        try scratch.write("src/a.js", "bob was here\n", in: bobTree)
        try scratch.git("add", "src/a.js", in: bobTree)
        let head = try scratch.git("rev-parse", "HEAD", in: bobTree)
        let refused = try commit(scratch, in: bobTree)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("claimed by alice"))
        #expect(refused.stderr.contains("--no-verify"))
        #expect(try scratch.git("rev-parse", "HEAD", in: bobTree) == head)
        let bypassed = try commit(scratch, in: bobTree, "--no-verify")
        #expect(bypassed.succeeded, "\(bypassed)")
        #expect(try scratch.git("rev-parse", "HEAD", in: bobTree) != head)
    }

    @Test func theCommitterSOwnClaimsAndSessionsInThisCheckoutAreNotReported() throws {
        let (scratch, _) = try Self.twoSessions()
        try scratch.write("src/a.js", "alice's own change\n")
        try scratch.git("add", "src/a.js")
        let own = try commit(scratch, in: scratch.repo)
        #expect(own.succeeded && own.stderr.isEmpty, "\(own)")
    }

    @Test func withSeveralSessionsInOneCheckoutTheCommitterIsNamedByTheEnvironment() throws {
        let (scratch, _) = try Self.twoSessions()
        let carol = try scratch.coordOK("start", "--name", "carol", "--task", "Docs")
        try scratch.coordOK("touch", "README.md", env: ["GIT_COORD_SESSION": carol])
        try scratch.write("src/a.js", "alice\n")
        try scratch.write("README.md", "carol\n")
        try scratch.git("add", "src/a.js", "README.md")
        // Nobody named: alice's claim is reported too, with a hint to name the committer.
        let unnamed = try commit(scratch, in: scratch.repo)
        #expect(unnamed.succeeded && unnamed.stderr.contains("set GIT_COORD_SESSION"), "\(unnamed)")
        // Named: only carol's touched file, none of alice's own claims.
        try scratch.write("src/a.js", "alice again\n")
        try scratch.write("README.md", "carol again\n")
        try scratch.git("add", "src/a.js", "README.md")
        let named = try runProcess("/usr/bin/git", ["commit", "-q", "-m", "named"], in: scratch.repo,
                                   environment: scratch.environment.merging(["GIT_COORD_SESSION": "alice"]) { $1 })
        #expect(named.succeeded, "\(named)")
        #expect(named.stderr.contains("README.md: touched by carol"), "\(named)")
        #expect(!named.stderr.contains("claimed by alice"), "\(named)")
        #expect(!named.stderr.contains("GIT_COORD_SESSION"), "\(named)")
    }

    @Test func aUserHookStillRunsAfterInitAndAloneAfterUninstall() throws {
        let scratch = try Scratch()
        let hook = scratch.repo + "/.git/hooks/pre-commit"
        let userHook = "#!/bin/sh\necho \"user hook ran\" >> \"$(git rev-parse --git-common-dir)/user-hook.log\"\n"
        try writeExecutable(userHook, to: hook)

        try scratch.coordOK("init")
        let installed = try listing(scratch.repo + "/.git/hooks")
        try scratch.coordOK("init")  // twice: nothing changes
        #expect(try listing(scratch.repo + "/.git/hooks") == installed)
        #expect(try String(contentsOfFile: hook + ".before-coord", encoding: .utf8) == userHook)
        for name in Self.hookNames {
            // The installed scripts are the ones in the repository's hooks/ folder.
            let installedText = try String(contentsOfFile: scratch.repo + "/.git/hooks/" + name, encoding: .utf8)
            #expect(installedText == (try String(contentsOfFile: packageRoot + "/hooks/" + name, encoding: .utf8)))
        }

        try scratch.write("x.txt", "x\n")
        try scratch.git("add", "x.txt")
        #expect(try commit(scratch, in: scratch.repo).succeeded)
        let log = scratch.repo + "/.git/user-hook.log"
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "user hook ran\n")

        // A failing user hook still blocks the commit, as it did before.
        try writeExecutable(userHook + "exit 3\n", to: hook + ".before-coord")
        try scratch.write("y.txt", "y\n")
        try scratch.git("add", "y.txt")
        #expect(try commit(scratch, in: scratch.repo).status != 0)
        try writeExecutable(userHook, to: hook + ".before-coord")

        try scratch.coordOK("init", "--uninstall")
        #expect(try String(contentsOfFile: hook, encoding: .utf8) == userHook)
        for name in Self.hookNames where name != "pre-commit" {
            #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.git/hooks/" + name))
        }
        #expect(!FileManager.default.fileExists(atPath: hook + ".before-coord"))
        #expect(try commit(scratch, in: scratch.repo).succeeded)
        // Once after init, once failing, once now: y.txt is staged still.
        #expect(try String(contentsOfFile: log, encoding: .utf8) == String(repeating: "user hook ran\n", count: 3))
        #expect(try scratch.coord(["list"]).status == 128)  // coordination is off again
    }

    @Test func coreHooksPathIsHonoured() throws {
        let (scratch, bobTree) = try Self.twoSessions()
        try scratch.coordOK("init", "--uninstall")
        try scratch.git("config", "core.hooksPath", ".githooks")
        try scratch.coordOK("init")
        for name in Self.hookNames {
            #expect(FileManager.default.isExecutableFile(atPath: scratch.repo + "/.githooks/" + name))
            #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.git/hooks/" + name))
        }
        // Relative to the worktree git runs the hook in: give bob's worktree the same folder, as a team would
        // by committing it.
        try scratch.git("config", "core.hooksPath", scratch.repo + "/.githooks")
        try scratch.write("src/a.js", "bob\n", in: bobTree)
        try scratch.git("add", "src/a.js", in: bobTree)
        let result = try commit(scratch, in: bobTree)
        #expect(result.succeeded && result.stderr.contains("claimed by alice"), "\(result)")
        try scratch.coordOK("init", "--uninstall")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.githooks/pre-commit"))
    }

    @Test func aReadOnlyHooksFolderIsAClearErrorAndChangesNothing() throws {
        let scratch = try Scratch()
        let folder = scratch.root + "/locked-hooks"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try scratch.git("config", "core.hooksPath", folder)
        try makeReadOnly(folder)
        defer { makeWritable(folder) }
        let result = try scratch.coord(["init"])
        #expect(result.status == 128)
        #expect(result.stderr.contains("fatal: cannot write git hooks into \(folder)"))
        #expect(result.stderr.contains("hint:"))
        #expect(try listing(folder).isEmpty)
        #expect(try scratch.coord(["list"]).status == 128)  // coordination was not turned on
    }

    @Test func postCheckoutRefreshesTheBranchAndWarnsAboutASharedCheckout() throws {
        let (scratch, _) = try Self.twoSessions()
        // A second session in alice's own checkout: a branch switch changes its files under it.
        try scratch.coordOK("start", "--name", "carol", "--task", "Docs", env: ["GIT_COORD_SESSION": ""])
        let switched = try runProcess("/usr/bin/git", ["switch", "-q", "-c", "feature"], in: scratch.repo,
                                      environment: scratch.environment.merging(["GIT_COORD_SESSION": "alice"]) { $1 })
        #expect(switched.succeeded)
        #expect(switched.stderr.contains("git-coord: carol works in this checkout too, on main"), "\(switched)")
        let alice = try scratch.listedSessions().first { $0["name"] as? String == "alice" }
        #expect(alice?["branch"] as? String == "feature", "\(String(describing: alice))")
    }

    @Test func hooksAreSilentNoOpsWhenCoordinationIsOffOrGitCoordIsMissing() throws {
        let (scratch, bobTree) = try Self.twoSessions()
        try scratch.write("src/a.js", "bob\n", in: bobTree)
        try scratch.git("add", "src/a.js", in: bobTree)
        // git-coord not on PATH: the scripts do nothing.
        var environment = scratch.environment
        environment["PATH"] = "/usr/bin:/bin"
        let missing = try runProcess("/usr/bin/git", ["commit", "-q", "-m", "no coord"], in: bobTree, environment: environment)
        #expect(missing.succeeded && missing.stderr.isEmpty, "\(missing)")
        // Coordination turned off by hand, hooks still installed: silent.
        try scratch.git("config", "coord.enabled", "false")
        try scratch.write("src/a.js", "bob again\n", in: bobTree)
        try scratch.git("add", "src/a.js", in: bobTree)
        let off = try commit(scratch, in: bobTree)
        #expect(off.succeeded && off.stderr.isEmpty, "\(off)")
    }

    @Test func postCheckoutWarnsAboutAnotherSessionOnTheSameBranch() throws {
        let (scratch, _) = try Self.twoSessions()
        let switched = try runProcess("/usr/bin/git", ["switch", "-q", "--ignore-other-worktrees", "bob"], in: scratch.repo,
                                      environment: scratch.environment)
        #expect(switched.succeeded, "\(switched)")
        #expect(switched.stderr.contains("git-coord: bob is also on branch bob in \(scratch.root)/bob (task: Router)"), "\(switched)")
        #expect(switched.stderr.contains("hint:"))
    }

    @Test func postCommitRefreshesTheCommittersPresence() throws {
        let (scratch, bobTree) = try Self.twoSessions()
        try scratch.write("notes.txt", "n\n", in: bobTree)
        try scratch.git("add", "notes.txt", in: bobTree)
        #expect(try commit(scratch, in: bobTree).succeeded)
        let head = String(try scratch.git("rev-parse", "HEAD", in: bobTree).prefix(12))
        // The hook refreshes in the background, so that git does not wait for it: give it a moment.
        var refreshed = false
        for _ in 0..<50 where !refreshed {
            refreshed = try scratch.listedSessions().contains { $0["head"] as? String == head }
            if !refreshed { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(refreshed)
    }

    @Test func tenThousandStagedFilesAreCheckedAndOnlyTheOverlapsReported() throws {
        let (scratch, bobTree) = try Self.twoSessions()
        let result = try runProcess("/bin/sh", ["-c", "mkdir -p gen && cd gen && seq 1 10000 | xargs touch && cd .. && git add gen"],
                                    in: bobTree, environment: scratch.environment)
        #expect(result.succeeded, "\(result)")
        try scratch.coordOK("claim", "gen/77")
        let committed = try commit(scratch, in: bobTree)
        #expect(committed.succeeded, "\(committed)")
        #expect(committed.stderr.contains("gen/77: claimed by alice"))
        #expect(committed.stderr.components(separatedBy: "git-coord:").count == 2, "\(committed.stderr)")
    }
}

/// The package's root folder, for the hooks/ scripts the installed hooks must equal.
let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

func writeExecutable(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
}

func listing(_ folder: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
        result[name] = (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "<unreadable>"
    }
    return result
}

/// Permission bits do not stop root: make the folder immutable then (Linux chattr), which stops everyone.
func makeReadOnly(_ folder: String) throws {
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
    if getuid() == 0 {
        _ = try runProcess("/usr/bin/chattr", ["+i", folder], in: "/", environment: [:])
    }
    let probe = folder + "/probe"
    if FileManager.default.createFile(atPath: probe, contents: nil) {
        try? FileManager.default.removeItem(atPath: probe)
        Issue.record("could not make \(folder) read-only on this machine")
    }
}

func makeWritable(_ folder: String) {
    if getuid() == 0 { _ = try? runProcess("/usr/bin/chattr", ["-i", folder], in: "/", environment: [:]) }
    try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
}
