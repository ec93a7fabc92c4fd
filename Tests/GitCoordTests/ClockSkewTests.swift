import CoordTestSupport
import Foundation
import Testing

/// Wall clocks may be wrong or differ between machines. Nothing acknowledged may be lost to that, and nothing may
/// silently stop: each test runs one side under libfaketime (Debian's faketime, which the test scripts install).
@Suite struct ClockSkewTests {
    /// Runs git-coord with the clock moved by `offset` (faketime's syntax: "-10m", "+2h").
    static func skewed(_ scratch: Scratch, _ offset: String, _ arguments: [String], in directory: String? = nil) throws -> ProcessResult {
        try runProcess("/usr/bin/faketime", ["-f", offset, coordBinary] + arguments, in: directory ?? scratch.repo,
                       environment: scratch.environment)
    }

    static func texts(_ scratch: Scratch, inboxOf session: String) throws -> [String] {
        let output = try scratch.coordOK("inbox", "--session", session, "--json")
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return (object?["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
    }

    @Test(arguments: ["-2s", "-10m", "-3h"])
    func messagesFromAWriterWhoseClockIsBehindAreDelivered(offset: String) throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let writer = try scratch.coordOK("start", "--name", "writer")
        let readerTree = try scratch.addWorktree("reader")
        let reader = try scratch.coordOK("start", "--name", "reader", in: readerTree)

        let sent = try Self.skewed(scratch, offset, ["send", "--session", writer, "reader", "skewed DM"])
        #expect(sent.succeeded, "\(sent)")
        let noted = try Self.skewed(scratch, offset, ["note", "--session", writer, "skewed note"])
        #expect(noted.succeeded, "\(noted)")
        #expect(try Self.texts(scratch, inboxOf: reader) == ["skewed DM", "skewed note"])
        #expect(try Self.texts(scratch, inboxOf: reader) == [], "once")
    }

    /// A newcomer whose clock is ahead: by its wall clock every later note is from before it started.
    @Test func notesAfterAStartWhoseClockIsAheadAreNews() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let writer = try scratch.coordOK("start", "--name", "writer")
        try scratch.coordOK("note", "--session", writer, "before")
        let readerTree = try scratch.addWorktree("reader")
        let started = try Self.skewed(scratch, "+1h", ["start", "--name", "early"], in: readerTree)
        #expect(started.succeeded, "\(started)")
        let reader = started.output
        try scratch.coordOK("note", "--session", writer, "after")
        #expect(try Self.texts(scratch, inboxOf: reader) == ["after"], "what came before is history; the Lamport clock says this came after")
    }

    @Test func aClockThatWentBackStillWritesHeartbeatsAndSaysSo() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let id = try scratch.coordOK("start", "--name", "alice")
        let ref = "refs/coord/v1/sessions/" + id
        let before = try scratch.git("rev-parse", ref)
        let beat = try Self.skewed(scratch, "-1h", ["heartbeat", "--session", id])
        #expect(beat.succeeded, "\(beat)")
        #expect(try scratch.git("rev-parse", ref) != before, "the heartbeat was written")
        #expect(beat.stderr.contains("clock"), "and the user is told why the session may look stale: \(beat)")
    }
}
