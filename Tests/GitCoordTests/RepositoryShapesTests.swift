import CoordTestSupport
import Foundation
import Testing

/// Repositories in the shapes people really use: sparse checkouts, a relative core.hooksPath (a committed
/// `.githooks`, husky), and a work tree apart from its git dir (the dotfiles pattern).
@Suite struct RepositoryShapesTests {
    func commit(_ scratch: Scratch, in directory: String, env: [String: String] = [:]) throws -> ProcessResult {
        try runProcess("/usr/bin/git", ["commit", "-q", "-m", "change"], in: directory,
                       environment: scratch.environment.merging(env) { $1 })
    }

    /// libgit2 sees every file outside a sparse cone as deleted; git does not, and neither may git-coord.
    @Test func filesOutsideTheSparseConeAreNobodysUncommittedChanges() throws {
        let scratch = try Scratch()
        try scratch.write("a/x", "1\n")
        try scratch.write("b/y", "1\n")
        try scratch.git("add", ".")
        try scratch.git("commit", "-q", "-m", "two folders")
        try scratch.coordOK("init")
        let sparse = try scratch.addWorktree("sparse")
        try scratch.git("sparse-checkout", "set", "a", in: sparse)
        #expect(!FileManager.default.fileExists(atPath: sparse + "/b/y"))
        try scratch.coordOK("start", "--name", "bob", in: sparse)
        try scratch.coordOK("start", "--name", "alice")

        let check = try scratch.coord(["check", "b/y"], env: ["GIT_COORD_SESSION": "alice"])
        #expect(check.status == 0 && check.stdout.isEmpty, "b/y is outside bob's cone, not deleted by him: \(check)")
        let bob = try #require(try scratch.listedSessions().first { $0["name"] as? String == "bob" })
        #expect((bob["files"] as? [Any])?.isEmpty ?? true, "\(bob)")

        // A real change inside the cone still counts, after a full scan and after an edit hook's partial one.
        try scratch.write("a/x", "2\n", in: sparse)
        try scratch.coordOK("heartbeat", in: sparse, env: ["GIT_COORD_SESSION": "bob"])
        let inside = try scratch.coord(["check", "a/x", "b/y"], env: ["GIT_COORD_SESSION": "alice"])
        #expect(inside.status == 1 && inside.stdout.contains("a/x: uncommitted changes by bob"), "\(inside)")
        #expect(!inside.stdout.contains("b/y"), "\(inside)")
    }

    /// A relative core.hooksPath is resolved against each worktree's top: every worktree needs the hooks in its
    /// own folder, those made before `init` and those made after it.
    @Test func aRelativeHooksPathGetsTheHooksInEveryWorktree() throws {
        let scratch = try Scratch()
        try scratch.git("config", "core.hooksPath", ".githooks")
        let userHook = "#!/bin/sh\necho \"user hook ran in $(pwd)\" >> \"$(git rev-parse --git-common-dir)/user-hook.log\"\n"
        try FileManager.default.createDirectory(atPath: scratch.repo + "/.githooks", withIntermediateDirectories: true)
        try writeExecutable(userHook, to: scratch.repo + "/.githooks/pre-commit")
        let before = try scratch.addWorktree("before")
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alice", "--task", "Readme")
        try scratch.coordOK("claim", "README.md")
        let after = try runProcess("/usr/bin/git", ["worktree", "add", "-q", "-b", "after", scratch.root + "/after"],
                                   in: scratch.repo, environment: scratch.environment)
        #expect(after.succeeded && after.stderr.contains("installed git-coord's hooks in this worktree"), "\(after)")

        for top in [scratch.repo, before, scratch.root + "/after"] {
            for name in GitHooksTests.hookNames {
                let text = try String(contentsOfFile: top + "/.githooks/" + name, encoding: .utf8)
                #expect(text == (try String(contentsOfFile: packageRoot + "/hooks/" + name, encoding: .utf8)), "\(top) \(name)")
            }
            try scratch.write("README.md", "change from \(top)\n", in: top)
            try scratch.git("add", "README.md", in: top)
            let session = try scratch.coordOK("start", "--task", "x", in: top, env: ["GIT_COORD_SESSION": ""])
            let result = try commit(scratch, in: top, env: ["GIT_COORD_SESSION": session])
            #expect(result.succeeded && result.stderr.contains("git-coord: README.md: claimed by alice"), "\(top): \(result)")
        }
        // The user's hook, kept as pre-commit.before-coord, still ran first (in the main worktree, where it was).
        let log = try String(contentsOfFile: scratch.repo + "/.git/user-hook.log", encoding: .utf8)
        #expect(log == "user hook ran in \(scratch.repo)\n", "\(log)")

        try scratch.coordOK("init", "--uninstall")
        #expect(try String(contentsOfFile: scratch.repo + "/.githooks/pre-commit", encoding: .utf8) == userHook)
        for top in [before, scratch.root + "/after"] {
            #expect(try listing(top + "/.githooks").isEmpty, "\(top)")
        }
    }

    /// husky (v9) points core.hooksPath at `.husky/_`, whose stubs find the user's script from their own name ($0):
    /// chained behind git-coord's hook, they must still see that name.
    @Test func huskysHooksStillRunBehindGitCoords() throws {
        let scratch = try Scratch()
        let husky = scratch.repo + "/.husky"
        try FileManager.default.createDirectory(atPath: husky + "/_", withIntermediateDirectories: true)
        try scratch.write(".husky/_/.gitignore", "*\n")
        try writeExecutable("""
            #!/usr/bin/env sh
            n=$(basename "$0")
            s=$(dirname "$(dirname "$0")")/$n
            [ ! -f "$s" ] && exit 0
            sh -e "$s" "$@"
            """, to: husky + "/_/h")
        for name in ["pre-commit", "post-checkout", "post-commit", "post-merge", "pre-push"] {
            try writeExecutable("#!/usr/bin/env sh\n. \"${0%/*}/h\"\n", to: husky + "/_/" + name)
        }
        try scratch.write(".husky/pre-commit", "echo \"husky pre-commit\" >> \"$(git rev-parse --git-common-dir)/husky.log\"\n")
        try scratch.git("add", ".husky/pre-commit")
        try scratch.git("commit", "-q", "-m", "husky")
        try scratch.git("config", "core.hooksPath", ".husky/_")
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alice")
        try scratch.coordOK("claim", "README.md")
        let later = try scratch.addWorktree("later")

        try scratch.write("README.md", "main\n")
        try scratch.git("add", "README.md")
        #expect(try commit(scratch, in: scratch.repo, env: ["GIT_COORD_SESSION": "alice"]).succeeded)
        #expect(try String(contentsOfFile: scratch.repo + "/.git/husky.log", encoding: .utf8) == "husky pre-commit\n")

        try scratch.write("README.md", "later\n", in: later)
        try scratch.git("add", "README.md", in: later)
        let bob = try scratch.coordOK("start", "--name", "bob", in: later)
        let result = try commit(scratch, in: later, env: ["GIT_COORD_SESSION": bob])
        #expect(result.succeeded && result.stderr.contains("README.md: claimed by alice"), "\(result)")
    }

    /// `git --git-dir=~/.dotfiles --work-tree=~`: git hands both to external commands and hooks as GIT_DIR and
    /// GIT_WORK_TREE, which libgit2 1.5.1 refuses ("GIT_WORK_TREE unimplemented").
    @Test func aWorkTreeApartFromItsGitDirWorksForCommandsAndHooks() throws {
        let scratch = try Scratch(commit: false)
        let gitDir = scratch.root + "/dotfiles.git"
        let home = scratch.root + "/home"
        try scratch.git("init", "-q", "--bare", gitDir)
        try FileManager.default.createDirectory(atPath: home + "/sub", withIntermediateDirectories: true)
        try scratch.write(".bashrc", "alias ll='ls -l'\n", in: home)
        func dot(_ arguments: String..., in directory: String? = nil, env: [String: String] = [:]) throws -> ProcessResult {
            try runProcess("/usr/bin/git", ["--git-dir=\(gitDir)", "--work-tree=\(home)"] + arguments,
                           in: directory ?? home, environment: scratch.environment.merging(env) { $1 })
        }
        #expect(try dot("add", ".bashrc").succeeded)
        #expect(try dot("commit", "-q", "-m", "dotfiles").succeeded)

        let initialised = try dot("coord", "init")
        #expect(initialised.succeeded, "\(initialised)")
        #expect(FileManager.default.isExecutableFile(atPath: gitDir + "/hooks/pre-commit"))
        let alice = try dot("coord", "start", "--name", "alice", "--task", "Shell")
        #expect(alice.succeeded, "\(alice)")
        #expect(try dot("coord", "claim", ".bashrc", env: ["GIT_COORD_SESSION": alice.output]).succeeded)
        let listed = try parseJSON(try dot("coord", "list", "--json").stdout)["sessions"] as? [[String: Any]]
        #expect(listed?.first?["worktree"] as? String == home, "\(String(describing: listed))")

        // From a subfolder, as git allows; the hook sees GIT_DIR and GIT_WORK_TREE as git sets them for hooks.
        let bob = try dot("coord", "start", "--name", "bob", in: home + "/sub", env: ["GIT_COORD_SESSION": ""])
        #expect(bob.succeeded, "\(bob)")
        try scratch.write(".bashrc", "alias la='ls -a'\n", in: home)
        let committed = try dot("commit", "-q", "-a", "-m", "bob", env: ["GIT_COORD_SESSION": bob.output])
        #expect(committed.succeeded && committed.stderr.contains("git-coord: .bashrc: claimed by alice"), "\(committed)")
        let check = try dot("coord", "check", "../.bashrc", in: home + "/sub", env: ["GIT_COORD_SESSION": bob.output])
        #expect(check.status == 1 && check.stdout.contains("claimed by alice"), "\(check)")
    }
}
