import CoordTestSupport
import Foundation
import Testing

/// The head cache (`.git/coord/cache/`) is derived data: listings must be exactly as without it, whatever
/// state the file is in, and it must never make a command fail.
@Suite struct HeadCacheTests {
    static let sessionsCache = "/.git/coord/cache/coord-v1-sessions"
    static let magic = "git-coord head cache 1\n"

    @Test func listingsFollowEveryChangeThroughTheCache() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let a = try scratch.coordOK("start", "--name", "a", "--task", "first task")
        #expect(try scratch.coordOK("list").contains("task: first task"))
        let cache = scratch.repo + Self.sessionsCache
        #expect(try String(contentsOfFile: cache, encoding: .isoLatin1).hasPrefix(Self.magic))

        try scratch.coordOK("task", "--session", a, "second task")
        let listed = try scratch.coordOK("list")
        #expect(listed.contains("task: second task") && !listed.contains("first task"))

        let b = try scratch.coordOK("start", "--name", "b")
        #expect(try scratch.listedSessions().map { $0["id"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") }
                == [a, b].sorted().map { Optional($0) })
        try scratch.coordOK("stop", "--session", b)
        #expect(try scratch.listedSessions().compactMap { $0["id"] as? String } == [a])
        #expect(try scratch.listedSessions(all: true).first { $0["id"] as? String == b }?["state"] as? String == "ended")
    }

    @Test func aDamagedCacheIsIgnoredAndRewritten() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        for name in ["a", "b", "c"] { try scratch.coordOK("start", "--name", name, "--task", "task of \(name)") }
        let expected = try comparable(scratch.coordOK("list", "--json"))
        let cache = scratch.repo + Self.sessionsCache
        let valid = try Data(contentsOf: URL(fileURLWithPath: cache))

        var edited = valid
        let task = try #require(valid.firstRange(of: Data("task of b".utf8)))
        edited[task.upperBound - 1] = UInt8(ascii: "X")  // well-formed, but not what the record says
        let damaged: [(String, Data)] = [
            ("a changed byte", edited),
            ("garbage", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })),
            ("truncated", valid.prefix(valid.count - 7)),
            ("empty", Data()),
            ("huge length", Data(Self.magic.utf8) + Data(repeating: 0xab, count: 20) + Data([0x7f, 0xff, 0xff, 0xff])),
            ("another format", Data("git-coord head cache 9\n".utf8) + valid.dropFirst(Self.magic.utf8.count)),
        ]
        for (what, bytes) in damaged {
            try bytes.write(to: URL(fileURLWithPath: cache))
            let result = try scratch.coord(["list", "--json"])
            #expect(result.status == 0 && result.stderr.isEmpty, "\(what): \(result)")
            #expect(try comparable(result.stdout) == expected, "\(what)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: cache)).starts(with: Data(Self.magic.utf8)), "\(what) is rewritten")
        }
    }

    @Test func concurrentWritersAndReadersAgree() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let ids = try (0..<4).map { try scratch.coordOK("start", "--name", "s\($0)", "--task", "old task \($0)") }
        for round in 0..<3 {
            // Four sessions change their task while eight readers list, all at once: every reader rewrites the
            // cache or finds another holding its lock, and none may see a torn file.
            let results = try PresenceTests.concurrently(12) { index in
                index < 4 ? try scratch.coord(["task", "--session", ids[index], "task \(round).\(index)"])
                          : try scratch.coord(["list", "--json"])
            }
            for result in results {
                #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
            }
            for result in results.dropFirst(4) {
                #expect(try comparable(result.stdout)["sessions"].map { ($0 as! [Any]).count } == 4, "\(result)")
            }
            let tasks = try scratch.listedSessions().map { $0["task"] as? String ?? "" }.sorted()
            #expect(tasks == (0..<4).map { "task \(round).\($0)" })
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.repo + "/.git/coord/cache")
        #expect(leftovers == ["coord-v1-sessions"])
    }

    @Test func aLockLeftByAKilledWriterIsTakenAtOnce() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "a", "--task", "before")
        try scratch.coordOK("list")
        let cache = scratch.repo + Self.sessionsCache
        let lock = cache + ".lock"
        // A writer at work holds its lock file with flock: the cache is left to it.
        try Data("half-written".utf8).write(to: URL(fileURLWithPath: lock))
        // (-o: the flock process alone holds it, so killing it frees it, as the kernel frees a killed writer's.)
        let writer = try Background(["-o", lock, "sleep", "3"], in: scratch.repo, environment: scratch.environment,
                                    executable: "/usr/bin/flock")
        defer { writer.kill(); writer.wait() }
        usleep(200_000)
        try scratch.coordOK("task", "--session", "a", "after")
        #expect(try scratch.coordOK("list").contains("task: after"))
        #expect(FileManager.default.fileExists(atPath: lock))
        #expect(try !String(contentsOfFile: cache, encoding: .isoLatin1).contains("after"), "not rewritten under a live lock")
        // Killed, it left the file behind, and the kernel its flock: the next listing takes it and writes the cache.
        writer.kill()
        writer.wait()
        #expect(FileManager.default.fileExists(atPath: lock))
        try scratch.coordOK("list")
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(try String(contentsOfFile: cache, encoding: .isoLatin1).contains("after"))
    }

    @Test func aCacheThatCannotBeWrittenIsNotAnError() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "a", "--task", "unwritable cache")
        // A file where the cache folder would go: every write fails, as on a read-only repository.
        try FileManager.default.removeItem(atPath: scratch.repo + "/.git/coord")
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: scratch.repo + "/.git/coord"))
        let result = try scratch.coord(["list"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
        #expect(result.stdout.contains("task: unwritable cache"))
        #expect(try String(contentsOfFile: scratch.repo + "/.git/coord", encoding: .utf8) == "not a folder")
    }

    @Test func uninstallDeletesTheCacheAndKeepsTheRecords() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "a")
        try scratch.coordOK("list")
        #expect(FileManager.default.fileExists(atPath: scratch.repo + Self.sessionsCache))
        try scratch.coordOK("init", "--uninstall")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.git/coord"))
        #expect(!(try scratch.git("for-each-ref", "refs/coord/v1/sessions")).isEmpty)
    }

    /// `list` with only --all/--json skips ArgumentParser; any other argument goes through it. Both must agree.
    @Test func listFastPathAndParserAgree() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "a", "--task", "one")
        try scratch.coordOK("start", "--name", "b", "--task", "two")
        try scratch.coordOK("stop", "--session", "b")
        for flags in [[], ["--all"]] {
            let fast = try scratch.coord(["list", "--json"] + flags)
            let parsed = try scratch.coord(["list", "--files", "5", "--json"] + flags)
            #expect(fast.status == 0 && parsed.status == 0)
            #expect(try comparable(fast.stdout) == comparable(parsed.stdout), "\(flags)")
        }
        let unknown = try scratch.coord(["list", "--bogus"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("See 'git coord list --help'"), "\(unknown)")
    }

    /// The JSON with the fields that count seconds removed: two runs may straddle a second.
    private func comparable(_ json: String) throws -> NSDictionary {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !$0.key.hasSuffix("SecondsAgo") && $0.key != "secondsAgo" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return strip(try JSONSerialization.jsonObject(with: Data(json.utf8))) as! NSDictionary
    }
}
