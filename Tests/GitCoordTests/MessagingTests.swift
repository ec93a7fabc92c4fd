import Testing
import Foundation
import CoordTestSupport

struct CommandFailed: Error, CustomStringConvertible {
    let arguments: [String]
    let result: ProcessResult
    var description: String { "git-coord \(arguments.joined(separator: " ")) failed: \(result)" }
}

/// Starts a process without waiting for it (a shell's `&` and `wait` hang under the test runner, whose
/// children inherit a blocked SIGCHLD), its stdout to a file, or discarded.
func launch(_ executable: String, _ arguments: [String], in directory: String, env: [String: String],
            stdout path: String? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = env
    if let path {
        // createFile writes a new file and renames it into place: never point it at a device such as /dev/null.
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: path)
    } else {
        process.standardOutput = FileHandle.nullDevice
    }
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
}

/// Notes, direct messages, inboxes, the feed and gc, through the real binary in real repositories.
@Suite struct MessagingTests {
    /// A repository with coordination on and one session per name, each in its own worktree.
    final class Team {
        let scratch: Scratch
        var ids: [String: String] = [:]
        var dirs: [String: String] = [:]

        init(_ names: [String]) throws {
            scratch = try Scratch()
            try scratch.coordOK("init")
            for (index, name) in names.enumerated() {
                let dir = index == 0 ? scratch.repo : try scratch.addWorktree("wt-\(name)")
                dirs[name] = dir
                ids[name] = try scratch.coordOK("start", "--name", name, in: dir, env: ["GIT_COORD_SESSION": ""])
            }
        }

        /// Runs git-coord as session `name`, in its worktree.
        func run(_ name: String, _ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
            try scratch.coord(arguments, in: dirs[name], env: ["GIT_COORD_SESSION": ids[name]!], stdin: stdin)
        }

        @discardableResult
        func ok(_ name: String, _ arguments: String...) throws -> String {
            let result = try run(name, arguments)
            guard result.succeeded else { throw CommandFailed(arguments: arguments, result: result) }
            return result.output
        }

        func json(_ name: String, _ arguments: String...) throws -> [String: Any] {
            let result = try run(name, arguments + ["--json"])
            guard result.succeeded else { throw CommandFailed(arguments: arguments, result: result) }
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        }

        func inboxTexts(_ name: String, peek: Bool = false) throws -> [String] {
            let object = try peek ? json(name, "inbox", "--peek") : json(name, "inbox")
            return (object["items"] as! [[String: Any]]).map { $0["text"] as! String }
        }

        func refs(_ prefix: String = "refs/coord/v1/") throws -> [String] {
            try scratch.git("for-each-ref", "--format=%(refname)", prefix).split(separator: "\n").map(String.init)
        }
    }

    @Test func aNoteIsSeenOnceByEachOtherSessionAndPeekDoesNotConsume() throws {
        let team = try Team(["alice", "bob"])
        try team.ok("alice", "note", "Renamed getLabel to t() in src/i18n.js")
        #expect(try team.inboxTexts("bob", peek: true) == ["Renamed getLabel to t() in src/i18n.js"])
        #expect(try team.inboxTexts("bob", peek: true) == ["Renamed getLabel to t() in src/i18n.js"])
        let shown = try team.ok("bob", "inbox")
        #expect(shown.hasPrefix("alice (main) "))
        #expect(shown.hasSuffix(": Renamed getLabel to t() in src/i18n.js"))
        #expect(try team.ok("bob", "inbox") == "")
        #expect(try team.inboxTexts("bob") == [])
        #expect(try team.inboxTexts("alice") == [], "a session never sees its own notes")
        try team.ok("alice", "note", "second")
        #expect(try team.inboxTexts("bob") == ["second"])
    }

    @Test func aDirectMessageReachesOnlyItsRecipient() throws {
        let team = try Team(["alice", "bob", "carol"])
        try team.ok("alice", "send", "bob", "keep my nav item in AdminDashboard.jsx")
        try team.ok("alice", "note", "for everyone")
        #expect(try team.inboxTexts("carol") == ["for everyone"])
        let bob = try team.json("bob", "inbox")
        let items = bob["items"] as! [[String: Any]]
        #expect(bob["schema"] as? String == "git-coord.inbox/1")
        #expect(items.map { $0["kind"] as! String } == ["message", "note"], "oldest first")
        #expect(items[0]["to"] as? String == team.ids["bob"])
        #expect((items[0]["from"] as! [String: Any])["name"] as? String == "alice")
        #expect(try team.ok("bob", "feed") .contains("keep my nav") == false, "messages are not in the feed")
        // Sent by name or by id alike; the recipient sees it once.
        try team.ok("carol", "send", team.ids["bob"]!, "by id")
        #expect(try team.inboxTexts("bob") == ["by id"])
        #expect(try team.inboxTexts("alice") == [])
    }

    @Test func sendRefusesUnknownEndedAndSelfAndWarnsForStale() throws {
        let team = try Team(["alice", "bob", "carol"])
        let unknown = try team.run("alice", ["send", "nobody", "hi"])
        #expect(unknown.status == 128)
        #expect(unknown.stderr.contains("no session 'nobody'") && unknown.stderr.contains("bob"))
        try team.ok("carol", "stop")
        let ended = try team.run("alice", ["send", "carol", "hi"])
        #expect(ended.status == 128)
        #expect(ended.stderr.contains("has ended") && ended.stderr.contains("live sessions: ") && ended.stderr.contains("bob"))
        #expect(try team.run("alice", ["send", "alice", "hi"]).status == 128)
        // bob goes stale: he still gets the message, and the sender is warned.
        try team.scratch.git("config", "coord.sessionTTL", "1s")
        Thread.sleep(forTimeInterval: 1.5)
        try team.ok("alice", "heartbeat")
        let stale = try team.run("alice", ["send", "bob", "when you are back"])
        #expect(stale.succeeded, "\(stale)")
        #expect(stale.stderr.contains("warning: session 'bob' is stale"))
        #expect(try team.inboxTexts("bob") == ["when you are back"])
    }

    @Test func badInputIsRefusedAndEscapesAreNeutralisedOnDisplayOnly() throws {
        let team = try Team(["alice", "bob"])
        func refused(_ arguments: [String], stdin: Data? = nil, _ message: String) throws {
            let result = try team.run("alice", arguments, stdin: stdin)
            #expect(result.status == 128, "\(arguments): \(result)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        try refused(["note", " \n "], "the note is empty")
        try refused(["note", "-"], stdin: Data(), "the note is empty")
        try refused(["note", "-"], stdin: Data(repeating: 0x61, count: 16 * 1024 + 1), "over the limit of 16384 bytes")
        try refused(["note", String(repeating: "é", count: 8193)], "over the limit of 16384 bytes")
        try refused(["note", "-"], stdin: Data([0x61, 0x00, 0x62]), "binary")
        try refused(["note", "-"], stdin: Data([0x61, 0xFF, 0xFE]), "not valid UTF-8")
        try refused(["send", "bob", "-"], stdin: Data([0xC3]), "not valid UTF-8")
        #expect(try team.inboxTexts("bob", peek: true) == [], "nothing refused was written")

        try team.ok("alice", "note", String(repeating: "a", count: 16 * 1024))
        #expect(try team.inboxTexts("bob").map(\.utf8.count) == [16 * 1024], "exactly at the limit is fine")
        let hostile = "look \u{1B}[2J\u{1B}]0;pwned\u{07} here\u{202E}txt.exe\r\nsecond line"
        #expect(try team.run("alice", ["note", "-"], stdin: Data(hostile.utf8)).succeeded)
        let shown = try team.ok("bob", "inbox", "--peek")
        #expect(!shown.contains("\u{1B}") && !shown.contains("\u{202E}") && !shown.contains("\u{07}") && !shown.contains("\r"))
        #expect(shown.hasSuffix(": look \\u{1B}[2J\\u{1B}]0;pwned\\u{7} here\\u{202E}txt.exe\n    second line"), "CRLF is a line break")
        #expect(try team.inboxTexts("bob").last == hostile, "raw in --json")
    }

    /// `/note` and `/message` in the agents pipe a heredoc, whose text ends with a newline nobody typed.
    @Test func theNewlineThatEndsStdinIsNotPartOfTheText() throws {
        let team = try Team(["alice", "bob"])
        #expect(try team.run("alice", ["note", "-"], stdin: Data("Router moved\n".utf8)).succeeded)
        #expect(try team.run("alice", ["send", "bob", "-"], stdin: Data("two lines\nof it\r\n".utf8)).succeeded)
        #expect(try team.run("alice", ["note", "-"], stdin: Data("kept blank line\n\n".utf8)).succeeded)
        #expect(try team.inboxTexts("bob") == ["Router moved", "two lines\nof it", "kept blank line\n"])
        let shown = try team.ok("bob", "feed")
        #expect(!shown.contains("> \n"), "no empty quoted line: \(shown)")
    }

    @Test func eightWritersOfTwoHundredFiftyNotesEachLeaveExactlyTwoThousand() throws {
        let team = try Team(["w0", "w1", "w2", "w3"])
        // Two processes per session at once: the logs race each other (clocks) and each log races itself (CAS).
        let writers = try (0..<8).map { process in
            let name = "w\(process % 4)"
            let loop = "for i in $(seq 1 250); do '\(coordBinary)' note \"p\(process) n$i\" || echo fail >> '\(team.scratch.root)/failures'; done"
            return try launch("/bin/sh", ["-c", loop], in: team.dirs[name]!,
                              env: team.scratch.environment.merging(["GIT_COORD_SESSION": team.ids[name]!]) { $1 })
        }
        for writer in writers { writer.waitUntilExit() }
        #expect(!FileManager.default.fileExists(atPath: team.scratch.root + "/failures"), "some note commands failed")

        let notes = try team.json("w0", "feed", "--limit", "0")["notes"] as! [[String: Any]]
        #expect(notes.count == 2000)
        let texts = notes.map { $0["text"] as! String }
        #expect(Set(texts).count == 2000, "none doubled")
        #expect(Set(texts) == Set((0..<8).flatMap { p in (1...250).map { "p\(p) n\($0)" } }), "none lost")
        // Each log is numbered 1...500 without a gap, and the order is strictly increasing by (clock, writer, seq).
        for name in ["w0", "w1", "w2", "w3"] {
            let seqs = notes.filter { ($0["from"] as! [String: Any])["id"] as? String == team.ids[name] }.map { $0["seq"] as! Int }.sorted()
            #expect(seqs == Array(1...500))
        }
        let keys = notes.map { ($0["clock"] as! Int, ($0["from"] as! [String: Any])["id"] as! String, $0["seq"] as! Int) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        // Within one process, later notes have larger clocks: the clock follows what each writer has seen.
        for process in 0..<8 {
            let mine = notes.filter { ($0["text"] as! String).hasPrefix("p\(process) ") }.map { Int(($0["text"] as! String).split(separator: "n").last!)! }
            #expect(mine == Array(1...250))
        }
    }

    @Test func twoConcurrentInboxReadsShowEachItemExactlyOnce() throws {
        let team = try Team(["alice", "bob"])
        var expected = Set<String>()
        let out = team.scratch.root + "/reads"
        for round in 0..<3 {
            var script = ""
            for index in 0..<15 {
                script += "'\(coordBinary)' note \"r\(round) n\(index)\" || exit 1\n"
                expected.insert("r\(round) n\(index)")
            }
            let writes = try runProcess("/bin/sh", ["-c", script], in: team.dirs["alice"]!,
                                        environment: team.scratch.environment.merging(["GIT_COORD_SESSION": team.ids["alice"]!]) { $1 })
            #expect(writes.succeeded, "\(writes)")
            let readers = try (1...2).map { k in
                try launch(coordBinary, ["inbox", "--json"], in: team.dirs["bob"]!,
                           env: team.scratch.environment.merging(["GIT_COORD_SESSION": team.ids["bob"]!]) { $1 },
                           stdout: "\(out)-\(round)-\(k)")
            }
            for reader in readers {
                reader.waitUntilExit()
                #expect(reader.terminationStatus == 0)
            }
        }
        var seen: [String] = []
        for round in 0..<3 {
            for k in 1...2 {
                let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)-\(round)-\(k)"))
                let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
                seen += (object["items"] as! [[String: Any]]).map { $0["text"] as! String }
            }
        }
        #expect(seen.count == expected.count, "every item shown exactly once between the two readers")
        #expect(Set(seen) == expected)
        #expect(try team.inboxTexts("bob") == [])
    }

    @Test func aNewSessionFindsOlderNotesInTheFeedNotItsInbox() throws {
        let team = try Team(["alice"])
        for text in ["one", "two", "three"] { try team.ok("alice", "note", text) }
        let late = try team.scratch.addWorktree("wt-late")
        let id = try team.scratch.coordOK("start", "--name", "late", in: late, env: ["GIT_COORD_SESSION": ""])
        team.ids["late"] = id
        team.dirs["late"] = late
        #expect(try team.inboxTexts("late") == [])
        try team.ok("alice", "note", "four")
        #expect(try team.inboxTexts("late") == ["four"])
        let feed = try team.json("late", "feed")
        #expect(feed["schema"] as? String == "git-coord.feed/1")
        #expect((feed["notes"] as! [[String: Any]]).map { $0["text"] as! String } == ["one", "two", "three", "four"])
        #expect((try team.json("late", "feed", "--limit", "2")["notes"] as! [[String: Any]]).map { $0["text"] as! String } == ["three", "four"])
        #expect((try team.json("late", "feed", "--since", "1h")["notes"] as! [[String: Any]]).count == 4)
        #expect(try team.run("late", ["feed", "--since", "soon"]).status != 0)
        let text = try team.ok("late", "feed", "--limit", "1")
        #expect(text.hasPrefix("alice (main) ") && text.hasSuffix(": four"))
    }

    @Test func aMalformedRecordIsSkippedWithAWarningAndHidesNothingElse() throws {
        let team = try Team(["alice", "bob"])
        try team.ok("alice", "note", "before")
        // A remote writes garbage on top of alice's log: a commit whose record.json is not a record.
        let log = "refs/coord/v1/log/" + team.ids["alice"]!
        let blob = try runProcess("/bin/sh", ["-c", "printf 'not json' | git hash-object -w --stdin"], in: team.scratch.repo,
                                  environment: team.scratch.environment).output
        let tree = try runProcess("/bin/sh", ["-c", "printf '100644 blob \(blob)\\trecord.json\\n' | git mktree"], in: team.scratch.repo,
                                  environment: team.scratch.environment).output
        let commit = try team.scratch.git("commit-tree", tree, "-p", log, "-m", "garbage")
        try team.scratch.git("update-ref", log, commit)
        let result = try team.run("bob", ["inbox"])
        #expect(result.succeeded)
        #expect(result.stdout.contains("before"))
        #expect(result.stderr.contains("warning: skipping record"))
        // Neither the writer nor the others are stuck: alice goes on from her last readable record.
        try team.ok("alice", "note", "after")
        try team.ok("bob", "note", "from bob")
        let items = try team.json("bob", "inbox")["items"] as! [[String: Any]]
        #expect(items.map { $0["text"] as! String } == ["after"])
        #expect(items.first?["seq"] as? Int == 2)
        let feed = try team.json("bob", "feed")["notes"] as! [[String: Any]]
        #expect(feed.map { $0["text"] as! String } == ["before", "after", "from bob"])
    }

    @Test func gcDropsGoneSessionsOnlyOnceEveryoneHasReadThem() throws {
        let team = try Team(["alice", "bob", "carol"])
        try team.ok("carol", "note", "carol was here")
        try team.ok("carol", "stop")
        let carol = team.ids["carol"]!
        try team.scratch.coordOK("gc", "--retention", "0s")
        #expect(try team.refs().contains("refs/coord/v1/log/\(carol)"), "alice and bob have not read it")
        #expect(!(try team.refs()).contains("refs/coord/v1/sessions/\(carol)"), "the ended session's record goes")
        #expect(!(try team.refs()).contains("refs/coord/v1/names/carol"))
        #expect(try team.inboxTexts("alice") == ["carol was here"])
        let dry = try team.scratch.coordOK("gc", "--retention", "0s", "--dry-run")
        #expect(dry.contains("kept refs/coord/v1/log/\(carol): session bob has not read it all"))
        #expect(try team.inboxTexts("bob") == ["carol was here"])
        // Retention keeps young logs even when read by all.
        try team.scratch.coordOK("gc")
        #expect(try team.refs().contains("refs/coord/v1/log/\(carol)"))
        try team.scratch.coordOK("gc", "--retention", "0s")
        #expect(!(try team.refs()).contains("refs/coord/v1/log/\(carol)"))
        // Live sessions keep everything, and still work.
        #expect(try team.refs().contains("refs/coord/v1/sessions/\(team.ids["bob"]!)"))
        try team.ok("alice", "note", "after gc")
        #expect(try team.inboxTexts("bob") == ["after gc"])
        #expect((try team.json("bob", "feed")["notes"] as! [[String: Any]]).map { $0["text"] as! String } == ["after gc"])
    }

    @Test func gcDropsLongStaleSessionsButKeepsMessagesTheyHaveNotRead() throws {
        let team = try Team(["alice", "bob"])
        try team.ok("alice", "send", "bob", "for later")
        try team.scratch.git("config", "coord.sessionTTL", "2s")
        try team.scratch.git("config", "coord.heartbeatInterval", "0s")
        Thread.sleep(forTimeInterval: 2.5)
        try team.ok("alice", "heartbeat")
        // bob is stale, not yet long-stale: alice's message to him stays, and so does he.
        try team.scratch.coordOK("gc", "--retention", "0s", "--stale-after", "1h")
        #expect(try team.refs().contains("refs/coord/v1/sessions/\(team.ids["bob"]!)"))
        // Long-stale: bob is gone, with his name and cursor; alice, live, keeps everything.
        Thread.sleep(forTimeInterval: 2)
        try team.ok("alice", "heartbeat")
        try team.scratch.coordOK("gc", "--retention", "0s", "--stale-after", "3s")
        let refs = try team.refs()
        #expect(!refs.contains("refs/coord/v1/sessions/\(team.ids["bob"]!)"))
        #expect(!refs.contains("refs/coord/v1/names/bob"))
        #expect(refs.contains("refs/coord/v1/log/\(team.ids["alice"]!)"), "a live session's log is never dropped")
    }
}
