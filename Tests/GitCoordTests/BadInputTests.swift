import CoordTestSupport
import Foundation
import Testing

@Suite struct BadInputTests {
    @Test func everyCommandRefusesUntilInit() throws {
        let scratch = try Scratch()
        let refused = try scratch.coord(["list"])
        #expect(refused.status == 128)
        #expect(refused.stderr.contains("fatal: coordination is not turned on"))
        #expect(refused.stderr.contains("hint: turn it on with 'git coord init'"))
        #expect(try scratch.git("for-each-ref", "refs/coord").isEmpty, "nothing written before opting in")
        try scratch.coordOK("init")
        try scratch.coordOK("init")
        #expect(try scratch.git("config", "--get-all", "coord.enabled") == "true")
        try scratch.coordOK("init", "--uninstall")
        #expect(try scratch.coord(["list"]).status == 128)
    }

    /// Usage lines and hints name the command as it is typed, `git coord ...`, and a mistake exits 64.
    @Test func helpAndUsageErrorsSayWhatToType() throws {
        let scratch = try Scratch()
        let help = try scratch.coord(["--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: git coord <subcommand>"), "\(help)")
        #expect(help.stdout.contains("See 'git coord help <subcommand>' for detailed help."))
        let claimHelp = try scratch.coord(["help", "claim"])
        #expect(claimHelp.status == 0 && claimHelp.stdout.contains("USAGE: git coord claim "), "\(claimHelp)")
        let typo = try scratch.coord(["lst"])
        #expect(typo.status == 64 && typo.stderr.contains("See 'git coord --help' for more information."), "\(typo)")
        let missing = try scratch.coord(["claim"])
        #expect(missing.status == 64 && missing.stderr.contains("See 'git coord claim --help'"), "\(missing)")
    }

    @Test func notARepository() throws {
        let scratch = try Scratch()
        let outside = scratch.root + "/plain"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        // GIT_CEILING_DIRECTORIES stops the upward search at the scratch folder, as git itself honours it.
        let result = try scratch.coord(["list"], in: outside, env: ["GIT_CEILING_DIRECTORIES": scratch.root])
        #expect(result.status == 128)
        #expect(result.stderr.contains("fatal: not a git repository"))
        #expect(result.stdout.isEmpty)
    }

    @Test func bareRepositoryListsButCannotStartSessions() throws {
        let scratch = try Scratch()
        let bare = scratch.root + "/bare.git"
        try scratch.git("clone", "-q", "--bare", scratch.repo, bare)
        try scratch.coordOK("init", in: bare)
        let start = try scratch.coord(["start"], in: bare)
        #expect(start.status == 128)
        #expect(start.stderr.contains("bare repository"))
        #expect(start.stderr.contains("git worktree add"))
        #expect(try scratch.coordOK("list", in: bare).isEmpty)
    }

    @Test func worktreeConfigRepositoriesOpen() throws {
        let scratch = try Scratch()
        try scratch.git("sparse-checkout", "set", "--cone", "src")
        #expect(try scratch.git("config", "extensions.worktreeConfig") == "true")
        try scratch.coordOK("init")
        let id = try scratch.coordOK("start", "--name", "sparse")
        #expect(try scratch.listedSessions().first?["id"] as? String == id)
    }

    @Test func unsupportedExtensionIsNamed() throws {
        let scratch = try Scratch(commit: false)
        let sha256 = scratch.root + "/sha256"
        try scratch.git("init", "-q", "--object-format=sha256", sha256)
        let result = try scratch.coord(["init"], in: sha256)
        #expect(result.status == 128)
        #expect(result.stderr.contains("objectformat"), "\(result)")
        #expect(result.stderr.contains("hint:"))
    }

    @Test func badNamesAndTexts() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        for name in ["../evil", "a b", "-dash", "x.lock", "a..b", String(repeating: "n", count: 41), "é"] {
            let result = try scratch.coord(["start", "--name=\(name)"])
            #expect(result.status == 128, "name \(name)")
            #expect(result.stderr.contains("invalid session name"), "name \(name): \(result)")
        }
        let long = try scratch.coord(["start", "--task", String(repeating: "t", count: 301)])
        #expect(long.status == 128)
        #expect(long.stderr.contains("too long (at most 300 characters)"))
        #expect(try scratch.git("for-each-ref", "refs/coord/v1/sessions").isEmpty, "a refused start writes nothing")
    }

    @Test func escapesAreStoredRawAndNeutralisedOnDisplay() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let task = "evil \u{1B}[2J\u{1B}]0;title\u{07} \u{202E}txt.exe line\nbreak"
        try scratch.coordOK("start", "--name", "E", "--task", task)
        let text = try scratch.coordOK("list")
        #expect(!text.contains("\u{1B}") && !text.contains("\u{07}") && !text.contains("\u{202E}"))
        #expect(text.contains("evil \\u{1B}[2J"))
        #expect(text.contains("line\\nbreak"))
        let json = try scratch.listedSessions()
        #expect(json.first?["task"] as? String == task, "raw in --json")
    }

    @Test func malformedRecordsAreSkippedWithAWarning() throws {
        let (scratch, a, _, _) = try Scratch.twoSessions()
        // A remote can write anything: junk JSON, a record under the wrong name, a commit without record.json.
        func plant(_ ref: String, file: String, content: String) throws {
            try scratch.write("junk/\(file)", content, in: scratch.root)
            let blob = try scratch.git("hash-object", "-w", scratch.root + "/junk/\(file)")
            let tree = try runProcess("/usr/bin/git", ["mktree"], in: scratch.repo, environment: scratch.environment,
                                      stdin: Data("100644 blob \(blob)\t\(file)\n".utf8)).output
            let commit = try scratch.git("commit-tree", tree, "-m", "junk")
            try scratch.git("update-ref", ref, commit)
        }
        try plant("refs/coord/v1/sessions/junk1", file: "record.json", content: "{not json")
        try plant("refs/coord/v1/sessions/impostor", file: "record.json",
                  content: try scratch.git("cat-file", "blob", "refs/coord/v1/sessions/\(a):record.json"))
        try plant("refs/coord/v1/sessions/norecord", file: "other.txt", content: "x")
        try scratch.git("update-ref", "refs/coord/v1/sessions/blobref", try scratch.git("hash-object", "-w", "README.md"))

        let result = try scratch.coord(["list", "--json"])
        #expect(result.succeeded, "\(result)")
        let names = (try parseJSON(result.stdout)["sessions"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(Set(names) == ["A", "B"])
        for ref in ["junk1", "impostor", "norecord", "blobref"] {
            #expect(result.stderr.contains("warning: skipping refs/coord/v1/sessions/\(ref)"), "\(ref): \(result.stderr)")
        }
    }

    @Test func pathsOutsideTheRepositoryAreRefused() throws {
        let (scratch, _, _, _) = try Scratch.twoSessions()
        for path in ["../outside.txt", "/etc/passwd", ".git/config"] {
            let result = try scratch.coord(["touch", path], env: ["GIT_COORD_SESSION": "A"])
            #expect(result.status == 128, "\(path)")
            #expect(result.stderr.contains("is outside the repository"), "\(path): \(result)")
        }
        try FileManager.default.createDirectory(atPath: scratch.repo + "/src/deep", withIntermediateDirectories: true)
        try scratch.coordOK("touch", "../x.js", "./y with space.js", "-", in: scratch.repo + "/src/deep", env: ["GIT_COORD_SESSION": "A"])
        let a = try scratch.listedSessions().first { $0["name"] as? String == "A" }!
        let paths = Set((a["files"] as! [[String: Any]]).map { $0["path"] as! String })
        #expect(paths == ["src/x.js", "src/deep/y with space.js", "src/deep/-"])
    }

    @Test func aLockLeftByAKilledProcessIsCleared() throws {
        let (scratch, a, _, _) = try Scratch.twoSessions()
        let lock = scratch.repo + "/.git/refs/coord/v1/sessions/\(a).lock"
        try "".write(toFile: lock, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: lock)
        try scratch.coordOK("task", "after the crash", env: ["GIT_COORD_SESSION": a])
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(try scratch.listedSessions().first { $0["id"] as? String == a }?["task"] as? String == "after the crash")
    }
}
