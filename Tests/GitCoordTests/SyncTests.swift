import Testing
import Foundation
import CoordTestSupport

/// Sync across clones, end to end: the real binary, real clones made by the git CLI, and a real remote reached
/// through a real `git daemon` on 127.0.0.1 or a file:// URL.
@Suite struct SyncTests {
    /// Turns coordination and sharing on in a clone and starts a named session there; returns its id.
    static func startSession(_ lab: CloneLab, _ clone: String, _ name: String) throws -> String {
        try lab.scratch.coordOK("init", "--remote", "origin", in: clone)
        return try lab.scratch.coordOK("start", "--name", name, "--task", "work of \(name)", in: clone)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Every shared ref of a clone (names/ is each clone's own arbiter and never leaves it).
    static func sharedRefs(_ lab: CloneLab, _ clone: String) throws -> [String] {
        try lab.coordRefs(in: clone).filter { !$0.contains("refs/coord/v1/names/") }
    }

    @Test(arguments: [false, true])
    func threeClonesApartConvergeWithNothingLostOrDoubled(overDaemon: Bool) throws {
        let lab = try CloneLab(clones: 3, overDaemon: overDaemon)
        let scratch = lab.scratch
        var expectedNotes: Set<String> = []
        // While apart: each clone has two sessions, each writes notes; each clone's first session claims
        // shared.txt (the same pattern in all three) and a file of its own.
        for (index, clone) in lab.clones.enumerated() {
            for letter in ["a", "b"] {
                let name = "c\(index)\(letter)"
                let id = try Self.startSession(lab, clone, name)
                for n in 0..<3 {
                    let text = "note \(n) from \(name)"
                    try scratch.coordOK("note", "--session", id, text, in: clone)
                    expectedNotes.insert(text)
                }
                if letter == "a" {
                    try scratch.coordOK("claim", "--session", id, "shared.txt", "own\(index).txt", in: clone)
                }
            }
        }

        // Sync in one order, then all at once, then once more each: every clone must end with the same state.
        var outputs: [Int: String] = [:]
        for index in [2, 0, 1] {
            let result = try scratch.coord(["sync"], in: lab.clones[index])
            #expect(result.status == 0, "\(result)")
            outputs[index, default: ""] += result.stderr
        }
        let concurrent = try runAll(lab.clones.map { ([coordBinary, "sync"], $0) }, scratch: scratch)
        for (index, result) in concurrent.enumerated() {
            #expect(result.status == 0, "\(result)")
            outputs[index, default: ""] += result.stderr
        }
        for (index, clone) in lab.clones.enumerated() {
            let result = try scratch.coord(["sync"], in: clone)
            #expect(result.status == 0, "\(result)")
            outputs[index, default: ""] += result.stderr
        }

        let reference = try Self.sharedRefs(lab, lab.clones[0])
        #expect(reference.count == 6 + 6 + 4)  // 6 sessions, 6 logs, 4 claim patterns (shared + 3 own)
        for clone in lab.clones {
            #expect(try Self.sharedRefs(lab, clone) == reference)
            let feed = try Self.json(try scratch.coordOK("feed", "--limit", "0", "--json", in: clone))
            let texts = (feed["notes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(texts.count == expectedNotes.count, "\(texts)")
            #expect(Set(texts) == expectedNotes)
            let sessions = try Self.json(try scratch.coordOK("list", "--json", in: clone))
            #expect((sessions["sessions"] as? [Any])?.count == 6)

            // One holder of shared.txt everywhere: the clone that claimed it first (clone 0).
            let claims = try Self.json(try scratch.coordOK("claims", "--json", in: clone))
            let shared = (claims["claims"] as? [[String: Any]] ?? []).filter { $0["pattern"] as? String == "shared.txt" }
            #expect(shared.count == 1)
            #expect(shared.first?["name"] as? String == "c0a", "\(shared)")
            #expect(shared.first?["state"] as? String == "live", "\(shared)")
        }
        // The losers were told, in their own clone.
        for index in [1, 2] {
            #expect(outputs[index]!.contains("your claim on 'shared.txt'"), "clone \(index): \(outputs[index]!)")
            #expect(outputs[index]!.contains("c0a (clone "), "clone \(index): \(outputs[index]!)")
        }
        #expect(!outputs[0]!.contains("your claim"), "\(outputs[0]!)")
        // Sessions of other clones are labelled as such.
        let list = try scratch.coordOK("list", in: lab.clones[1])
        #expect(list.contains("c0a  [clone "))
        #expect(!list.contains("c1a  [clone "))
        // Another clone's session is never written from here: its single writer is its own clone.
        let foreign = try scratch.coord(["task", "--session", "c0a", "hijack"], in: lab.clones[1])
        #expect(foreign.status == 128, "\(foreign)")
        #expect(foreign.stderr.contains("session 'c0a' runs in another clone"), "\(foreign)")
    }

    @Test func nothingLeavesTheMachineBeforeOptingIn() throws {
        let lab = try CloneLab(clones: 1, overDaemon: false)
        let clone = lab.clones[0]
        try lab.scratch.coordOK("init", in: clone)
        try lab.scratch.coordOK("start", "--name", "solo", in: clone)
        let refused = try lab.scratch.coord(["sync"], in: clone)
        #expect(refused.status == 128)
        #expect(refused.stderr.contains("fatal: coordination is not shared with remote 'origin'"))
        #expect(refused.stderr.contains("hint: share it with 'git coord init --remote origin'"))
        #expect(try lab.remoteGit("for-each-ref", "refs/coord").isEmpty)

        let unknown = try lab.scratch.coord(["sync", "upstream"], in: clone)
        #expect(unknown.status == 128)
        #expect(unknown.stderr.contains("no remote 'upstream'; remotes: origin"))
        let badInit = try lab.scratch.coord(["init", "--remote", "nope"], in: clone)
        #expect(badInit.status == 128 && badInit.stderr.contains("no remote 'nope'"))

        // A remote without refs/coord yet: the first sync creates them there.
        try lab.scratch.coordOK("init", "--remote", "origin", in: clone)
        try lab.scratch.coordOK("sync", in: clone)
        #expect(try lab.remoteGit("for-each-ref", "refs/coord").contains("refs/coord/v1/sessions/"))
        #expect(!(try lab.remoteGit("for-each-ref", "refs/coord")).contains("names/"))
    }

    @Test func aForcedPushRewritingACloneLogIsDetectedAndReported() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        let alice = try Self.startSession(lab, lab.clones[0], "alice")
        try scratch.coordOK("note", "--session", alice, "first", in: lab.clones[0])
        try scratch.coordOK("sync", in: lab.clones[0])
        _ = try Self.startSession(lab, lab.clones[1], "bob")
        try scratch.coordOK("sync", in: lab.clones[1])
        let logRef = "refs/coord/v1/log/\(alice)"
        let original = try scratch.git("rev-parse", logRef, in: lab.clones[0])

        // The attack: someone force-pushes a different history for alice's log onto the remote.
        let forged = try forgeRecord(lab, json: #"{"version":1,"kind":"note","from":"\#(alice)","fromName":"alice","text":"forged","clock":1,"seq":1,"at":1}"#)
        try lab.remoteGit("update-ref", logRef, forged)

        // Alice's clone reports it, keeps its log, and does not overwrite the remote.
        try scratch.coordOK("note", "--session", alice, "second", in: lab.clones[0])
        let mine = try scratch.git("rev-parse", logRef, in: lab.clones[0])
        let result = try scratch.coord(["sync"], in: lab.clones[0])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("error: \(logRef) forked (2 record(s) only here, 1 only on 'origin')"), "\(result)")
        #expect(result.stderr.contains("this clone's own log: someone rewrote it"), "\(result)")
        #expect(result.stderr.contains("git push --force-with-lease=\(logRef):\(forged) origin \(logRef):\(logRef)"), "\(result)")
        #expect(try scratch.git("rev-parse", logRef, in: lab.clones[0]) == mine)
        #expect(try lab.remoteGit("rev-parse", logRef) == forged)

        // Bob's clone, which had alice's original log, reports the fork too and keeps the original.
        let bobResult = try scratch.coord(["sync"], in: lab.clones[1])
        #expect(bobResult.status == 1, "\(bobResult)")
        #expect(bobResult.stderr.contains("error: \(logRef) forked"), "\(bobResult)")
        #expect(try scratch.git("rev-parse", logRef, in: lab.clones[1]) == original)
        let feed = try scratch.coordOK("feed", in: lab.clones[1])
        #expect(feed.contains("first") && !feed.contains("forged"))

        // The hint's command restores alice's log on the remote; then both clones sync cleanly again.
        try scratch.git("push", "-q", "--force-with-lease=\(logRef):\(forged)", "origin", "\(logRef):\(logRef)", in: lab.clones[0])
        #expect(try scratch.coord(["sync"], in: lab.clones[0]).status == 0)
        #expect(try scratch.coord(["sync"], in: lab.clones[1]).status == 0)
        #expect(try scratch.coordOK("feed", in: lab.clones[1]).contains("second"))
    }

    @Test func badInputFromTheRemoteIsRejectedAndLocalStateStaysIntact() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        _ = try Self.startSession(lab, lab.clones[0], "alice")
        try scratch.coordOK("sync", in: lab.clones[0])
        let bob = try Self.startSession(lab, lab.clones[1], "bob")
        let bobClone = try scratch.git("config", "coord.cloneId", in: lab.clones[1])
        let before = try lab.coordRefs(in: lab.clones[1])

        // What a hostile or broken remote might hold.
        try lab.remoteGit("update-ref", "refs/coord/v1/log/aaaaaaaaaaaa", try forgeRecord(lab, json: "not json at all"))
        try lab.remoteGit("update-ref", "refs/coord/v1/log/bbbbbbbbbbbb",
                          try forgeRecord(lab, json: #"{"text":""# + String(repeating: "x", count: 2 << 20) + #""}"#))
        try lab.remoteGit("update-ref", "refs/coord/v1/weird/thing", try forgeRecord(lab, json: "{}"))
        let impostor = #"{"version":1,"id":"eeeeeeeeeeee","name":"bob","task":"","worktree":"/x","host":"h","started":1,"seen":1,"touched":[],"changed":[],"clone":"\#(bobClone)"}"#
        try lab.remoteGit("update-ref", "refs/coord/v1/sessions/eeeeeeeeeeee", try forgeRecord(lab, json: impostor, clone: bobClone))
        let blob = try lab.remoteGit("hash-object", "-w", "--stdin")
        try lab.remoteGit("update-ref", "refs/coord/v1/sessions/ffffffffffff", blob)
        let good = #"{"version":1,"kind":"note","from":"dddddddddddd","fromName":"dora","text":"a fine note","clock":1,"seq":1,"at":1}"#
        try lab.remoteGit("update-ref", "refs/coord/v1/log/dddddddddddd", try forgeRecord(lab, json: good))

        let result = try scratch.coord(["sync"], in: lab.clones[1])
        #expect(result.status == 0, "\(result)")
        for (ref, reason) in [("log/aaaaaaaaaaaa", "not a valid log record"),
                              ("log/bbbbbbbbbbbb", "over the 1048576-byte limit"),
                              ("weird/thing", "git-coord does not write refs of this name"),
                              ("sessions/eeeeeeeeeeee", "claims to come from this clone (\(bobClone))"),
                              ("sessions/ffffffffffff", "it is not a commit")] {
            #expect(result.stderr.contains("warning: ignored refs/coord/v1/\(ref) from 'origin': "), "\(ref): \(result)")
            #expect(result.stderr.contains(reason), "\(ref): \(result)")
        }
        let after = try lab.coordRefs(in: lab.clones[1])
        for ref in ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "weird/thing", "eeeeeeeeeeee", "ffffffffffff"] {
            #expect(!after.contains { $0.hasSuffix(ref) }, "\(ref) was taken: \(after)")
        }
        #expect(Set(before).isSubset(of: Set(after)))
        #expect(after.contains { $0.hasSuffix("log/dddddddddddd") })
        #expect(try scratch.coordOK("feed", in: lab.clones[1]).contains("a fine note"))
        #expect(try scratch.coordOK("list", in: lab.clones[1]).contains("alice"))
        _ = bob
    }

    @Test func aServerHookThatDeclinesIsReportedByRefName() throws {
        let lab = try CloneLab(clones: 1, overDaemon: false)
        let hook = lab.remotePath + "/hooks/pre-receive"
        try "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in refs/coord/*) echo \"no coordination here\" >&2; exit 1;; esac; done\n"
            .write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        let id = try Self.startSession(lab, lab.clones[0], "alice")
        let result = try lab.scratch.coord(["sync"], in: lab.clones[0])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("error: 'origin' refused refs/coord/v1/sessions/\(id): remote rejected: pre-receive hook declined"), "\(result)")
        #expect(try lab.remoteGit("for-each-ref", "refs/coord").isEmpty)
        #expect(try lab.scratch.coordOK("list", in: lab.clones[0]).contains("alice"))
    }

    @Test func anUnreachableRemoteIsAClearErrorAndChangesNothing() throws {
        let lab = try CloneLab(clones: 1, overDaemon: true)
        let clone = lab.clones[0]
        _ = try Self.startSession(lab, clone, "alice")
        try lab.scratch.coordOK("sync", in: clone)
        try lab.scratch.coordOK("task", "still working", in: clone)
        let before = try lab.coordRefs(in: clone, under: "refs/coord")
        lab.daemon?.stop()
        let result = try lab.scratch.coord(["sync"], in: clone)
        #expect(result.status == 128, "\(result)")
        #expect(result.stderr.contains("fatal: could not fetch from 'origin'"), "\(result)")
        #expect(result.stderr.contains("hint: local coordination state is unchanged"), "\(result)")
        #expect(try lab.coordRefs(in: clone, under: "refs/coord") == before)
    }

    @Test func aCopiedGitFolderCannotPassItsRecordsOffAsTheOriginals() throws {
        let lab = try CloneLab(clones: 1, overDaemon: false)
        let scratch = lab.scratch
        let original = lab.clones[0]
        _ = try Self.startSession(lab, original, "alice")
        let copy = scratch.root + "/copy"
        _ = try runProcess("/bin/cp", ["-a", original, copy], in: scratch.root, environment: scratch.environment)
        let impostor = try scratch.coordOK("start", "--name", "copycat", in: copy)
        try scratch.coordOK("sync", in: copy)

        let result = try scratch.coord(["sync"], in: original)
        #expect(result.stderr.contains("warning: ignored refs/coord/v1/sessions/\(impostor) from 'origin'"), "\(result)")
        #expect(result.stderr.contains("claims to come from this clone"), "\(result)")
        #expect(result.stderr.contains("git config --unset coord.cloneId"), "\(result)")
        #expect(!(try scratch.coordOK("list", "--all", in: original)).contains("copycat"))
    }

    @Test func aRemoteClaimHoldsAcrossClonesAndTheRaceHasOneWinner() throws {
        let lab = try CloneLab(clones: 3, overDaemon: true)
        let scratch = lab.scratch
        for (index, clone) in lab.clones.enumerated() { _ = try Self.startSession(lab, clone, "s\(index)") }

        // Sequential: clone 0 takes it on the remote; clone 1, which never synced, is refused naming the holder.
        try scratch.coordOK("claim", "--remote", "src/App.jsx", in: lab.clones[0])
        #expect(try lab.remoteGit("for-each-ref", "refs/coord/v1/claims").contains("refs/coord/v1/claims/"))
        let refused = try scratch.coord(["claim", "--remote", "src/App.jsx"], in: lab.clones[1])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("claimed by s0"), "\(refused)")
        #expect(refused.stderr.contains("nothing was claimed"), "\(refused)")

        // A race: clones 1 and 2 both claim another path on the remote at once; exactly one wins.
        let results = try runAll([1, 2].map { ([coordBinary, "claim", "--remote", "src/Router.jsx"], lab.clones[$0]) }, scratch: scratch)
        let winners = results.indices.filter { results[$0].status == 0 }
        #expect(winners.count == 1, "\(results)")
        guard let winner = winners.first else { return }
        let loser = 1 - winner
        #expect(results[loser].status == 1, "\(results[loser])")
        #expect(results[loser].stderr.contains("s\(winner + 1)"), "\(results[loser])")

        // After syncing, every clone agrees on both holders.
        for clone in lab.clones + lab.clones { _ = try scratch.coord(["sync"], in: clone) }
        for clone in lab.clones {
            let claims = try Self.json(try scratch.coordOK("claims", "--json", in: clone))
            let live = (claims["claims"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "live" }
            let holders = Dictionary(live.map { ($0["pattern"] as? String ?? "", $0["name"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
            #expect(holders == ["src/App.jsx": "s0", "src/Router.jsx": "s\(winner + 1)"], "\(live)")
        }
    }

    @Test func watchKeepsClonesCurrentAndSaysOnceWhenTheRemoteIsGone() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        let alice = try Self.startSession(lab, lab.clones[0], "alice")
        _ = try Self.startSession(lab, lab.clones[1], "bob")
        let errors = scratch.root + "/watch.err"
        FileManager.default.createFile(atPath: errors, contents: nil)
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: coordBinary)
        watcher.arguments = ["sync", "--watch", "1s"]
        watcher.currentDirectoryURL = URL(fileURLWithPath: lab.clones[1])
        watcher.environment = scratch.environment
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try watcher.run()
        defer { if watcher.isRunning { watcher.terminate(); watcher.waitUntilExit() } }

        // A note written and synced in alice's clone reaches bob's clone with no command run there.
        try scratch.coordOK("note", "--session", alice, "hello from alice", in: lab.clones[0])
        try scratch.coordOK("sync", in: lab.clones[0])
        var arrived = false
        for _ in 0..<100 where !arrived {
            usleep(100_000)
            arrived = (try? scratch.coordOK("feed", in: lab.clones[1]))?.contains("hello from alice") ?? false
        }
        #expect(arrived)

        // Offline (the remote is gone): one line, however many rounds fail.
        try FileManager.default.moveItem(atPath: lab.remotePath, toPath: lab.remotePath + ".away")
        usleep(3_500_000)
        watcher.terminate()
        watcher.waitUntilExit()
        let said = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(said.components(separatedBy: "cannot reach 'origin'").count == 2, "\(said)")
    }

    // MARK: Helpers

    /// Writes a record commit straight into the bare remote with git plumbing, as an attacker or a broken
    /// client could: `json` as record.json, optionally stamped with a clone id.
    func forgeRecord(_ lab: CloneLab, json: String, clone: String? = nil) throws -> String {
        let file = lab.scratch.root + "/forged-\(UUID().uuidString).json"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        let blob = try lab.remoteGit("hash-object", "-w", file)
        let tree = try runProcess("/usr/bin/git", ["mktree"], in: lab.remotePath, environment: lab.scratch.environment,
                                  stdin: Data("100644 blob \(blob)\trecord.json\n".utf8)).output
        let message = clone.map { "forged\n\nCoord-Clone: \($0)" } ?? "forged"
        return try lab.remoteGit("commit-tree", tree, "-m", message)
    }

    /// Runs the commands at once, each in its own folder, and returns their results in order.
    func runAll(_ jobs: [([String], String)], scratch: Scratch) throws -> [ProcessResult] {
        let box = ResultBox(count: jobs.count)
        let environment = scratch.environment
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (command, directory) = jobs[index]
            box.set(index, try? runProcess(command[0], Array(command.dropFirst()), in: directory, environment: environment))
        }
        return try box.values.map { try #require($0) }
    }
}

/// Results written from several threads, under a lock.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ProcessResult?]
    init(count: Int) { stored = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: ProcessResult?) { lock.lock(); stored[index] = value; lock.unlock() }
    var values: [ProcessResult?] { lock.lock(); defer { lock.unlock() }; return stored }
}
