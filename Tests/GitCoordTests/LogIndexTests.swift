import CoordTestSupport
import Foundation
import Testing

/// The log index (docs/design.md, "Skipping what is not for the reader"): readers follow it past what is not
/// theirs, read logs without one as before, and never trust a pointer that leads elsewhere.
@Suite struct LogIndexTests {
    typealias Team = MessagingTests.Team

    /// The records of a log, newest first: commit id and payload.
    static func records(_ team: Team, of name: String) throws -> [(commit: String, record: [String: Any])] {
        let ref = "refs/coord/v1/log/" + team.ids[name]!
        return try team.scratch.git("rev-list", ref).split(separator: "\n").map { commit in
            let json = try team.scratch.git("cat-file", "-p", "\(commit):record.json")
            return (String(commit), try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any])
        }
    }

    /// Deletes the loose payload blob of a record: reading that record is then an error (and a warning).
    static func damage(_ team: Team, commit: String) throws {
        let blob = try team.scratch.git("rev-parse", "\(commit):record.json")
        let path = team.scratch.repo + "/.git/objects/" + blob.prefix(2) + "/" + blob.dropFirst(2)
        try FileManager.default.removeItem(atPath: path)
    }

    @Test func aReaderNeverReadsMessagesBetweenOtherSessions() throws {
        let team = try Team(["alice", "bob", "carol"])
        try team.ok("alice", "note", "alice is here")
        try team.ok("bob", "note", "bob is here")
        #expect(try team.inboxTexts("carol") == ["alice is here", "bob is here"])
        for index in 0..<6 {
            try team.ok("alice", "send", "bob", "alice to bob \(index)")
            try team.ok("bob", "send", "alice", "bob to alice \(index)")
        }
        try team.ok("alice", "note", "for everyone")
        try team.ok("bob", "send", "carol", "for carol")
        try team.ok("alice", "send", "bob", "one more for bob")
        // The messages between alice and bob, but the heads (the one record a reader reads of a log that moved),
        // can no longer be read: a reader that met one would warn.
        for name in ["alice", "bob"] {
            for (commit, record) in try Self.records(team, of: name).dropFirst()
            where record["kind"] as? String == "message" && record["to"] as? String != team.ids["carol"] {
                try Self.damage(team, commit: commit)
            }
        }
        let peek = try team.run("carol", ["inbox", "--peek"])
        #expect(peek.succeeded && peek.stderr.isEmpty, "\(peek)")
        #expect(try team.inboxTexts("carol") == ["for everyone", "for carol"])
        let feed = try team.run("carol", ["feed"])
        #expect(feed.succeeded && feed.stderr.isEmpty, "\(feed)")
        #expect(feed.stdout.contains("for everyone") && feed.stdout.contains("alice is here"))
        // Nothing new for carol after more of their talk: the cursor moves, nothing is shown or read.
        try team.ok("alice", "note", "last note")
        #expect(try team.inboxTexts("carol") == ["last note"])
        #expect(try team.run("carol", ["inbox"]).stderr.isEmpty)
    }

    @Test func aLogWrittenWithoutIndexesIsReadAsBeforeAndIndexedFromThere() throws {
        let team = try Team(["alice", "bob", "carol"])
        let alice = team.ids["alice"]!
        // Five items as a version without indexes wrote them, then one written now on top of them.
        let items: [(kind: String, to: String?, text: String)] = [
            ("note", nil, "old note 1"), ("message", team.ids["bob"], "old message to bob 1"),
            ("message", team.ids["carol"], "old message to carol"), ("note", nil, "old note 2"),
            ("message", team.ids["bob"], "old message to bob 2"),
        ]
        try Self.importRecords(into: team, writer: alice, items.enumerated().map { index, item in
            Self.record(from: alice, kind: item.kind, to: item.to, text: item.text, seq: index + 1)
        })
        try team.ok("alice", "note", "new note")
        let head = try Self.records(team, of: "alice")[0].record
        let index = try #require(head["index"] as? [String: Any], "\(head)")
        #expect(index["from"] as? Int == 1)
        #expect((index["note"] as? [String: Any])?["seq"] as? Int == 4)
        #expect(((index["to"] as? [String: Any])?[team.ids["bob"]!] as? [String: Any])?["seq"] as? Int == 5)
        #expect(try team.inboxTexts("bob") == ["old note 1", "old message to bob 1", "old note 2", "old message to bob 2", "new note"])
        #expect(try team.inboxTexts("carol") == ["old note 1", "old message to carol", "old note 2", "new note"])
        #expect(try team.ok("carol", "feed", "--limit", "2").hasSuffix("new note"))
    }

    @Test func aPointerThatLeadsElsewhereIsNotTrusted() throws {
        let team = try Team(["alice", "bob", "carol"])
        let alice = team.ids["alice"]!
        try team.ok("alice", "note", "note 1")
        try team.ok("alice", "send", "bob", "for bob only")
        try team.ok("alice", "note", "note 2")
        let written = try Self.records(team, of: "alice")
        let message = try #require(written.first { $0.record["kind"] as? String == "message" })
        // A record from elsewhere whose index says the newest note is the message to bob.
        var forged = Self.record(from: alice, kind: "note", to: nil, text: "forged index", seq: 4)
        let blob = try team.scratch.git("rev-parse", message.commit + ":record.json")
        forged["index"] = ["from": 1, "note": ["seq": 2, "blob": blob]]
        try Self.importRecords(into: team, writer: alice, [forged], continuing: true)
        #expect(try team.inboxTexts("carol") == ["note 1", "note 2", "forged index"])
        #expect(try team.inboxTexts("bob") == ["note 1", "for bob only", "note 2", "forged index"])
        #expect(try team.ok("carol", "feed").contains("note 2"))
        #expect(try !team.ok("carol", "feed").contains("for bob only"))
    }

    @Test func readersRacingWritersShowEachItemOnceAndInOrder() throws {
        let team = try Team(["alice", "bob", "carol"])
        try team.ok("alice", "note", "start")
        try team.ok("bob", "note", "start")
        #expect(try team.inboxTexts("carol").count == 2)
        // alice and bob write notes, messages to carol and messages to each other, while two readers of carol's
        // inbox read again and again.
        var writers: [Process] = []
        for (name, other) in [("alice", "bob"), ("bob", "alice")] {
            var script = ""
            for index in 0..<12 {
                script += "git-coord note '\(name) note \(index)' || exit 1\n"
                script += "git-coord send carol '\(name) to carol \(index)' || exit 1\n"
                script += "git-coord send \(other) '\(name) to \(other) \(index)' || exit 1\n"
            }
            writers.append(try launch("/bin/sh", ["-c", script], in: team.dirs[name]!,
                                      env: team.scratch.environment.merging(["GIT_COORD_SESSION": team.ids[name]!]) { $1 }))
        }
        var shown: [[[String: Any]]] = []
        var round = 0
        while writers.contains(where: \.isRunning) || round < 2 {
            let readers = try (1...2).map { k in
                try launch(coordBinary, ["inbox", "--json"], in: team.dirs["carol"]!,
                           env: team.scratch.environment.merging(["GIT_COORD_SESSION": team.ids["carol"]!]) { $1 },
                           stdout: team.scratch.root + "/read-\(round)-\(k)")
            }
            for (k, reader) in readers.enumerated() {
                reader.waitUntilExit()
                #expect(reader.terminationStatus == 0)
                let data = try Data(contentsOf: URL(fileURLWithPath: team.scratch.root + "/read-\(round)-\(k + 1)"))
                shown.append((try JSONSerialization.jsonObject(with: data) as! [String: Any])["items"] as! [[String: Any]])
            }
            round += 1
        }
        for writer in writers { #expect(writer.terminationStatus == 0) }
        shown.append(try team.json("carol", "inbox")["items"] as! [[String: Any]])
        let texts = shown.flatMap { $0.map { $0["text"] as! String } }
        let expected = ["alice", "bob"].flatMap { name in (0..<12).flatMap { ["\(name) note \($0)", "\(name) to carol \($0)"] } }
        #expect(texts.count == expected.count, "each item shown once: \(texts)")
        #expect(Set(texts) == Set(expected))
        for batch in shown {
            let keys = batch.map { ($0["clock"] as! Int, ($0["from"] as! [String: Any])["id"] as! String, $0["seq"] as! Int) }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "each read in the total order: \(keys)")
        }
    }

    static func record(from writer: String, kind: String, to: String?, text: String, seq: Int) -> [String: Any] {
        var record: [String: Any] = ["version": 1, "kind": kind, "from": writer, "fromName": "alice", "branch": "main",
                                     "text": text, "clock": 1000 + seq, "seq": seq,
                                     "at": Int(Date().timeIntervalSince1970 * 1000)]
        if let to { record["to"] = to }
        return record
    }

    /// Appends records to a writer's log with `git fast-import` (as another version or clone would have written
    /// them), starting the log or continuing it.
    static func importRecords(into team: Team, writer: String, _ records: [[String: Any]], continuing: Bool = false) throws {
        let ref = "refs/coord/v1/log/" + writer
        var stream = ""
        for (index, record) in records.enumerated() {
            let json = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
            let message = "note from alice"
            stream += "commit \(ref)\ncommitter git-coord <git-coord@localhost> \(Int(Date().timeIntervalSince1970)) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)\n"
            if index == 0 && continuing { stream += "from \(ref)^0\n" }
            stream += "M 100644 inline record.json\ndata \(json.utf8.count)\n\(json)\n\n"
        }
        let result = try runProcess("/usr/bin/git", ["fast-import", "--quiet"], in: team.scratch.repo,
                                    environment: team.scratch.environment, stdin: Data(stream.utf8))
        #expect(result.succeeded, "\(result)")
    }
}
