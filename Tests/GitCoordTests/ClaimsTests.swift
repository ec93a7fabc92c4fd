import Testing
import Foundation
import CoordTestSupport

/// Claims, end to end: the real binary, real repositories and worktrees made by the real git CLI.
@Suite struct ClaimsTests {
    /// A repository with coordination on, a file to claim, and session "alice" in the main worktree.
    static func setUp() throws -> (Scratch, alice: String) {
        let scratch = try Scratch()
        try scratch.write("src/a.js", "a\n")
        try scratch.write("src/b.js", "b\n")
        try scratch.git("add", ".")
        try scratch.git("commit", "-q", "-m", "sources")
        try scratch.coordOK("init")
        let alice = try scratch.coordOK("start", "--name", "alice", "--task", "Restyle the sidebar")
        return (scratch, alice)
    }

    @Test func sixteenWorktreesRaceForOnePathAndExactlyOneWins() throws {
        let (scratch, _) = try Self.setUp()
        var worktrees: [String] = []
        for index in 0..<16 {
            let path = try scratch.addWorktree("w\(index)")
            try scratch.coordOK("start", "--name", "racer\(index)", "--task", "task \(index)", in: path)
            worktrees.append(path)
        }
        let results = try runConcurrently(worktrees.map { ([coordBinary, "claim", "src/shared.js"], $0) }, scratch: scratch)
        let winners = results.indices.filter { results[$0].status == 0 }
        #expect(winners.count == 1, "\(results)")
        guard let winner = winners.first else { return }
        let winnerName = "racer\(winner)"
        for (index, result) in results.enumerated() where index != winner {
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("claimed by \(winnerName) "), "\(result)")
            #expect(result.stderr.contains("task \(winner)"), "\(result)")
        }
        let claims = try parseJSON(try scratch.coordOK("claims", "--json"))["claims"] as? [[String: Any]] ?? []
        let shared = claims.filter { $0["pattern"] as? String == "src/shared.js" }
        #expect(shared.count == 1, "\(claims)")
        #expect(shared.first?["name"] as? String == winnerName)
    }

    @Test func overlappingPatternsRacingOnDifferentRefsLeaveOneClaim() throws {
        let (scratch, _) = try Self.setUp()
        let patterns = ["src/**", "src/a.js", "src", "*.js", "src/*.js", "src/a.js"]
        var jobs: [([String], String)] = []
        for (index, pattern) in patterns.enumerated() {
            let path = try scratch.addWorktree("p\(index)")
            try scratch.coordOK("start", "--name", "p\(index)", in: path)
            jobs.append(([coordBinary, "claim", pattern], path))
        }
        let results = try runConcurrently(jobs, scratch: scratch)
        let winners = results.filter { $0.status == 0 }
        #expect(winners.count <= 1, "\(results)")
        let live = try scratch.coordOK("claims", "--json")
        #expect(live.components(separatedBy: "\"state\" : \"live\"").count - 1 == winners.count, "\(live)")
        for loser in results where loser.status != 0 {
            #expect(loser.status == 1 && loser.stderr.contains("claimed by p"), "\(loser)")
        }
    }

    @Test func aClaimIsRefusedWithTheHolderAndNothingIsClaimed() throws {
        let (scratch, _) = try Self.setUp()
        try scratch.coordOK("claim", "src/a.js", "--reason", "adding the nav item")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", "--task", "Router", in: bobTree)

        // b.js is free but src/ overlaps alice's file: all or nothing.
        let refused = try scratch.coord(["claim", "src/b.js", "src"], in: bobTree)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("src/: claimed by alice (main) as src/a.js since"))
        #expect(refused.stderr.contains("for another"))
        #expect(refused.stderr.contains("task: Restyle the sidebar"))
        #expect(refused.stderr.contains("reason: adding the nav item"))
        #expect(refused.stderr.contains("nothing was claimed"))
        #expect(!(try scratch.coordOK("claims")).contains("bob"))

        for pattern in ["src/**", "*.js", "src/a.js", "src/a*"] {
            let result = try scratch.coord(["claim", pattern], in: bobTree)
            #expect(result.status == 1, "\(pattern): \(result)")
        }
        // Patterns that cannot meet alice's file are free.
        try scratch.coordOK("claim", "src/*.css", "docs/**", "src/b.js", in: bobTree)
        #expect(try scratch.coordOK("claims").contains("src/*.css  bob (bob)"))
    }

    @Test func reclaimingExtendsAndReleaseEndsIt() throws {
        let (scratch, _) = try Self.setUp()
        try scratch.coordOK("claim", "src/a.js", "--ttl", "10m")
        try scratch.coordOK("claim", "src/a.js", "--ttl", "2h")
        let claims = try parseJSON(try scratch.coordOK("claims", "--json"))["claims"] as? [[String: Any]] ?? []
        let expiresIn = try #require(claims.first?["expiresInSeconds"] as? Int)
        #expect((7100...7200).contains(expiresIn), "2h = 7200 s, minus the test's own seconds: \(expiresIn)")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", in: bobTree)
        #expect(try scratch.coord(["check", "src/a.js"], in: bobTree).status == 1)

        try scratch.coordOK("release", "src/a.js")
        #expect(try scratch.coord(["check", "src/a.js"], in: bobTree).status == 0)
        let notHeld = try scratch.coord(["release", "src/b.js"])
        #expect(notHeld.status == 1)
        #expect(notHeld.stderr.contains("src/b.js: not claimed by alice"))
        // A released claim that no remote has leaves no ref behind: claiming it again is a new claim.
        #expect(try scratch.git("for-each-ref", "refs/coord/v1/claims/") == "")
        try scratch.coordOK("claim", "src/a.js", in: bobTree)
        #expect(try !scratch.coordOK("claims", "--json").contains("takenFrom"))
        try scratch.coordOK("release", "--all", in: bobTree)
        #expect(try scratch.coordOK("claims") == "")
    }

    @Test func expiredAndEndedClaimsAreVoidWithoutAnyWrite() throws {
        let (scratch, alice) = try Self.setUp()
        try scratch.coordOK("claim", "src/a.js", "--ttl", "1s")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", in: bobTree)
        Thread.sleep(forTimeInterval: 1.2)
        let refsBefore = try scratch.git("for-each-ref", "refs/coord/v1/claims")
        #expect(try scratch.coord(["check", "src/a.js"], in: bobTree).status == 0)
        #expect(try scratch.coordOK("claims") == "")
        #expect(try scratch.git("for-each-ref", "refs/coord/v1/claims") == refsBefore)
        let taken = try scratch.coord(["claim", "src/a.js"], in: bobTree)
        #expect(taken.status == 0)
        #expect(taken.stderr.contains("taken over from alice (its claim was expired)"))

        // bob stops: his claim is void at once, for alice, with no write.
        try scratch.coordOK("stop", in: bobTree)
        #expect(try scratch.coord(["check", "src/a.js"], env: ["GIT_COORD_SESSION": alice]).status == 0)
        let all = try scratch.coordOK("claims", "--all")
        #expect(all.contains("[holder-ended]"))
    }

    /// A lapsed claim taken over and released again before its holder looks: the holder's inbox still says so, once.
    @Test func theHolderOfALapsedClaimHearsOfItsTakeoverOnceEvenAfterItsRelease() throws {
        let (scratch, alice) = try Self.setUp()
        try scratch.coordOK("claim", "src/a.js", "--ttl", "1s")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", in: bobTree)
        Thread.sleep(forTimeInterval: 1.2)
        try scratch.coordOK("claim", "src/a.js", "--reason", "the router moves", in: bobTree)
        try scratch.coordOK("release", "src/a.js", in: bobTree)
        #expect(try scratch.git("for-each-ref", "refs/coord/v1/claims/") == "")
        let inbox = try scratch.coordOK("inbox", env: ["GIT_COORD_SESSION": alice])
        #expect(inbox.contains("bob") && inbox.contains("I took over your claim on src/a.js (it had expired): the router moves"),
                "\(inbox)")
        #expect(try scratch.coordOK("inbox", env: ["GIT_COORD_SESSION": alice]).isEmpty)
    }

    @Test func aStaleSessionsClaimIsVoidAndClaimingAgainRevivesIt() throws {
        let (scratch, alice) = try Self.setUp()
        try scratch.coordOK("claim", "src/a.js")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", in: bobTree)
        try scratch.git("config", "coord.sessionTTL", "1s")
        Thread.sleep(forTimeInterval: 1.5)
        // alice went silent: stale, and her claim with her, with no write.
        #expect(try scratch.coordOK("claims", "--all").contains("[holder-stale]"))
        #expect(try scratch.coord(["check", "src/a.js"], in: bobTree).status == 0)
        // Claiming is a sign of life: alice is live again, and so is her claim.
        try scratch.coordOK("claim", "src/a.js", env: ["GIT_COORD_SESSION": alice])
        try scratch.git("config", "coord.sessionTTL", "15m")  // so that a slow machine cannot make her stale again
        #expect(try scratch.coordOK("claims").contains("src/a.js  alice"))
        #expect(try scratch.coord(["check", "src/a.js"], in: bobTree).status == 1)
    }

    @Test func forceTakesALiveClaimAndRecordsTheTakeover() throws {
        let (scratch, alice) = try Self.setUp()
        try scratch.coordOK("claim", "src/a.js", "src/b.js")
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", in: bobTree)
        let forced = try scratch.coord(["claim", "--force", "src/a.js", "src/**"], in: bobTree)
        #expect(forced.status == 0, "\(forced)")
        #expect(forced.stderr.contains("src/a.js: taken by force from alice (its claim was live)"))
        let claims = try parseJSON(try scratch.coordOK("claims", "--json"))["claims"] as? [[String: Any]] ?? []
        let byPattern = Dictionary(claims.map { ($0["pattern"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let takenFrom = byPattern["src/a.js"]?["takenFrom"] as? [String: Any]
        #expect(takenFrom?["session"] as? String == alice && takenFrom?["state"] as? String == "live", "\(claims)")
        // src/** was taken over alice's live claims below it; src/b.js stays hers.
        let overrode = byPattern["src/**"]?["overrode"] as? [[String: Any]] ?? []
        #expect(Set(overrode.compactMap { $0["pattern"] as? String }) == ["src/a.js", "src/b.js"], "\(claims)")
        #expect(byPattern["src/b.js"]?["session"] as? String == alice)
        #expect(try scratch.coord(["check", "src/a.js"], env: ["GIT_COORD_SESSION": alice]).stdout.contains("claimed by bob"))

        // Alice is told by a direct message from bob, once, at her next look at her inbox.
        let inbox = try scratch.coordOK("inbox", env: ["GIT_COORD_SESSION": alice])
        #expect(inbox.contains("bob"), "\(inbox)")
        #expect(inbox.contains("I took over your claim on src/a.js, src/b.js with --force (claiming src/a.js, src/**)"), "\(inbox)")
        #expect(try scratch.coordOK("inbox", env: ["GIT_COORD_SESSION": alice]).isEmpty)

        // And she can list what was taken from her.
        let taken = try scratch.coordOK("claims", "--taken", env: ["GIT_COORD_SESSION": alice])
        #expect(taken.contains("src/a.js: taken with --force by bob"), "\(taken)")
        #expect(taken.contains("src/b.js: taken with --force by bob (by claiming src/**)"), "\(taken)")
        let takenJSON = try parseJSON(try scratch.coordOK("claims", "--taken", "--json", env: ["GIT_COORD_SESSION": alice]))
        #expect(takenJSON["schema"] as? String == "git-coord.takeovers/1")
        let takeovers = takenJSON["takeovers"] as? [[String: Any]] ?? []
        #expect(!takeovers.isEmpty && takeovers.allSatisfy { $0["forced"] as? Bool == true }, "\(takenJSON)")
        #expect(Set(takeovers.compactMap { ($0["taken"] as? [String: Any])?["pattern"] as? String }) == ["src/a.js", "src/b.js"])
        #expect(try scratch.coordOK("claims", "--taken", in: bobTree).isEmpty)
    }

    @Test func checkNamesClaimsTouchedAndChangedFilesOfOthers() throws {
        let (scratch, alice) = try Self.setUp()
        let bobTree = try scratch.addWorktree("bob")
        let bob = try scratch.coordOK("start", "--name", "bob", "--task", "Router", in: bobTree)
        try scratch.coordOK("touch", "src/b.js", in: bobTree)
        try scratch.write("src/new.js", "new\n", in: bobTree)
        try scratch.coordOK("heartbeat", in: bobTree)
        try scratch.coordOK("claim", "src/lib/", in: bobTree)

        let me = ["GIT_COORD_SESSION": alice]
        #expect(try scratch.coord(["check", "README.md"], env: me).status == 0)
        #expect(try scratch.coord(["check", "README.md"], env: me).stdout == "")
        let touched = try scratch.coord(["check", "src/b.js"], env: me)
        #expect(touched.status == 1)
        #expect(touched.stdout.contains("src/b.js: touched by bob (bob)"))
        #expect(touched.stdout.contains("task: Router"))
        let changed = try scratch.coord(["check", "src/new.js"], env: me)
        #expect(changed.stdout.contains("src/new.js: uncommitted changes by bob (bob) in \(bobTree)"))
        let inFolder = try scratch.coord(["check", "src/lib/deep/x.js"], env: me)
        #expect(inFolder.stdout.contains("claimed by bob (bob) as src/lib/"))
        // From a subdirectory, relative paths; a folder covers what is below it.
        let fromSrc = try scratch.coord(["check", "."], in: scratch.repo + "/src", env: me)
        #expect(fromSrc.status == 1)
        #expect(fromSrc.stdout.contains("src: touched by bob"))
        let json = try parseJSON(try scratch.coord(["check", "--json", "src/b.js"], env: me).stdout)
        #expect(json["schema"] as? String == "git-coord.check/1")
        let overlaps = json["overlaps"] as? [[String: Any]] ?? []
        #expect(overlaps.count == 1 && overlaps.first?["reason"] as? String == "touched"
                && overlaps.first?["session"] as? String == bob, "\(json)")
        // Bob does not see himself.
        #expect(try scratch.coord(["check", "src/b.js"], in: bobTree).status == 0)

        let outside = try scratch.coord(["check", "/etc/passwd"])
        #expect(outside.status == 128)
        #expect(outside.stderr.contains("outside the repository"))
    }

    @Test func badInputIsRefusedClearlyOrStoredRaw() throws {
        let (scratch, _) = try Self.setUp()
        let ttl = try scratch.coord(["claim", "src/a.js", "--ttl", "soon"])
        #expect(ttl.status == 64)
        #expect(ttl.stderr.contains("--ttl 'soon' is not a duration"))
        #expect(try scratch.coord(["claim", "../elsewhere.js"]).status == 128)
        #expect(try scratch.coord(["claim", "!src/*.js"]).stderr.contains("negative patterns"))

        // Spaces, unicode, a leading dash: claimed, listed, checked, released as given.
        let odd = ["dir with space/fïlé ünicode.js", "-dash.js", "src/components/[id].jsx"]
        try scratch.coordOK("claim", "--", odd[0], odd[1], odd[2])
        let bobTree = try scratch.addWorktree("bob")
        try scratch.coordOK("start", "--name", "bob", in: bobTree)
        for path in odd {
            let result = try scratch.coord(["check", "--", path], in: bobTree)
            #expect(result.status == 1, "\(path): \(result)")
        }
        let json = try scratch.coordOK("claims", "--json")
        #expect(json.contains("fïlé ünicode.js"))
        try scratch.coordOK("release", "--", odd[1])
        #expect(try scratch.coord(["check", "--", odd[1]], in: bobTree).status == 0)

        // A pattern that matches nothing is claimed, with a warning.
        let nothing = try scratch.coord(["claim", "assets/**/*.png"])
        #expect(nothing.status == 0)
        #expect(nothing.stderr.contains("matches no file yet"))

        // Terminal escapes in a reason: neutralised on screen, raw in JSON.
        try scratch.coordOK("claim", "src/b.js", "--reason", "evil \u{1B}[31mred")
        #expect(try scratch.coordOK("claims").contains("evil \\u{1B}[31mred"))
        #expect(try scratch.coordOK("claims", "--json").contains("evil \\u001b[31mred"))
    }

    @Test func aMalformedClaimRecordIsSkippedWithAWarningAndCanBeReplaced() throws {
        let (scratch, _) = try Self.setUp()
        try scratch.coordOK("claim", "src/b.js")
        // Write garbage at the ref src/a.js would use, with the git CLI, as a broken remote might.
        let hash = try scratch.git("hash-object", "--stdin", "-w", "--path=x", stdin: "{not json")
        let tree = try scratch.git("mktree", stdin: "100644 blob \(hash)\trecord.json\n")
        let commit = try scratch.git("commit-tree", tree, "-m", "junk")
        let refHash = try scratch.git("hash-object", "--stdin", stdin: "src/a.js")
        try scratch.git("update-ref", "refs/coord/v1/claims/paths/\(refHash)", commit)

        let listed = try scratch.coord(["claims"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("src/b.js"))
        #expect(listed.stderr.contains("warning: skipping refs/coord/v1/claims/paths/\(refHash)"))
        try scratch.coordOK("claim", "src/a.js")
        #expect(try scratch.coordOK("claims").contains("src/a.js  alice"))
        // The junk stays in the chain, under the new record.
        #expect(try scratch.git("rev-parse", "refs/coord/v1/claims/paths/\(refHash)^") == commit)
    }
}

/// Starts every job at once (each a program with arguments, in a folder) and waits for all of them.
func runConcurrently(_ jobs: [([String], String)], scratch: Scratch) throws -> [RaceResult] {
    let folder = scratch.root + "/race-output"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var running: [(Process, String)] = []
    for (index, job) in jobs.enumerated() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: job.0[0])
        process.arguments = Array(job.0.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: job.1)
        process.environment = scratch.environment
        let out = "\(folder)/\(index).out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: out + ".err", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: out + ".err"))
        process.standardInput = FileHandle.nullDevice
        running.append((process, out))
    }
    for (process, _) in running { try process.run() }
    return running.map { process, out in
        process.waitUntilExit()
        return RaceResult(status: process.terminationStatus,
                             stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? "")
    }
}

struct RaceResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

extension Scratch {
    /// The real git CLI with `stdin` as its input; throws when it fails; stdout without its final newline.
    @discardableResult
    func git(_ arguments: String..., stdin: String) throws -> String {
        let result = try runProcess("/usr/bin/git", arguments, in: repo, environment: environment, stdin: Data(stdin.utf8))
        guard result.succeeded else { throw GitFailed(description: "git \(arguments): \(result)") }
        return result.output
    }
}

struct GitFailed: Error, CustomStringConvertible { let description: String }
