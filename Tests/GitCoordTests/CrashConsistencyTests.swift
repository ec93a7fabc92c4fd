import CoordTestSupport
import Foundation
import Testing

/// Concurrent writers (notes, starts, claims) from several processes, killed at random with SIGKILL. Afterwards:
/// every write that was acknowledged (exit 0, and printed when the command prints) is there, `git fsck --strict`
/// finds nothing wrong (unreachable objects are allowed: lost and killed writes leave them), and the next
/// command of every surviving session succeeds at once.
@Suite struct CrashConsistencyTests {
    enum Write {
        case note(session: String, text: String)
        case start(name: String)
        case claim(session: String, path: String)

        var arguments: [String] {
            switch self {
            case .note(let session, let text): return ["note", "--session", session, text]
            case .start(let name): return ["start", "--name", name]
            case .claim(let session, let path): return ["claim", "--session", session, path]
            }
        }
    }

    /// The `.lock` files under refs/coord/ right now (readdir, fast enough to catch a lock held for microseconds).
    static func refLocks(in scratch: Scratch) -> [String] {
        func scan(_ directory: String) -> [String] {
            guard let listing = opendir(directory) else { return [] }
            defer { closedir(listing) }
            var found: [String] = []
            while let entry = readdir(listing) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name.hasSuffix(".lock") { found.append(directory + "/" + name) }
            }
            return found
        }
        let root = scratch.repo + "/.git/refs/coord/v1/"
        return ["sessions", "names", "log", "cursors", "claims/paths", "claims/patterns"].flatMap { scan(root + $0) }
    }

    @Test func killedWritersLoseNothingAcknowledgedAndBlockNobody() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let sessions = (0..<4).map { "s\($0)" }
        for name in sessions { try scratch.coordOK("start", "--name", name) }

        var generator = SystemRandomNumberGenerator()
        var acknowledged: [(Write, String)] = []
        var killedWrites: [Write] = []
        var spawned = 0
        var locksLeft: Set<String> = []
        let rounds = 24, perRound = 6
        let began = monotonic()
        for round in 0..<rounds {
            var running: [(Write, Background, killAt: Double?)] = []
            let start = monotonic()
            for index in 0..<perRound {
                let session = sessions.randomElement(using: &generator)!
                let write: Write
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: write = .start(name: "w\(round)x\(index)")
                case 1: write = .claim(session: session, path: "files/r\(round)-\(index).txt")
                default: write = .note(session: session, text: "note \(round)-\(index)")
                }
                // In even rounds, half of them die at a random moment of their short lives (20-80 ms in a debug build).
                let killAt = Bool.random(using: &generator) ? start + Double.random(in: 0.002...0.06, using: &generator) : nil
                running.append((write, try Background(write.arguments, in: scratch.repo, environment: scratch.environment), killAt))
                spawned += 1
            }
            if round % 2 == 0 {
                for (_, process, killAt) in running.sorted(by: { ($0.killAt ?? .infinity) < ($1.killAt ?? .infinity) }) {
                    guard let killAt else { break }
                    let wait = killAt - monotonic()
                    if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
                    process.kill()
                }
            } else {
                // The worst moment: the instant a ref lock appears, every writer dies (its owner among them).
                let deadline = monotonic() + 5
                while monotonic() < deadline && running.contains(where: { $0.1.isRunning }) {
                    if !Self.refLocks(in: scratch).isEmpty {
                        for (_, process, _) in running { process.kill() }
                        break
                    }
                }
            }
            for (write, process, _) in running {
                let (result, wasKilled) = process.wait()
                if wasKilled { killedWrites.append(write) }
                if result.status == 0 && !wasKilled { acknowledged.append((write, result.output)) }
                #expect(wasKilled || result.status == 0, "a write that was not killed succeeds: \(write.arguments): \(result)")
            }
            // Left for the writers of the next rounds, which must not be held up by them.
            locksLeft.formUnion(Self.refLocks(in: scratch).map { path in
                var info = stat()
                return stat(path, &info) == 0 ? "\(path) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" : path
            })
        }
        let storm = monotonic() - began

        // The next command of every surviving session succeeds at once, whatever the killed ones left behind; and
        // each killed write, tried again, gets through its own ref (the one whose lock it may have left).
        let survivorsBegan = monotonic()
        var survivors = sessions
        for (write, output) in acknowledged { if case .start = write { survivors.append(output) } }
        for session in survivors {
            let note = try scratch.coord(["note", "--session", session, "survivor \(session)"])
            #expect(note.status == 0, "\(session): \(note)")
            let claim = try scratch.coord(["claim", "--session", session, "after/\(session).txt"])
            #expect(claim.status == 0, "\(session): \(claim)")
        }
        for write in killedWrites {
            let again = try scratch.coord(write.arguments)
            if case .start = write, again.stderr.contains("is used by live session") { continue }  // the start grace
            #expect(again.status == 0, "\(write.arguments) again: \(again)")
            if again.status == 0 { acknowledged.append((write, again.output)) }
        }
        let survivorsTook = monotonic() - survivorsBegan

        // Every acknowledged write is there.
        let feed = try parseJSON(scratch.coordOK("feed", "--limit", "0", "--json"))["notes"] as? [[String: Any]] ?? []
        let noted = Set(feed.compactMap { $0["text"] as? String })
        let listed = try scratch.listedSessions(all: true)
        let claims = try parseJSON(scratch.coordOK("claims", "--json"))["claims"] as? [[String: Any]] ?? []
        let holders = Dictionary(claims.compactMap { claim -> (String, String)? in
            guard let pattern = claim["pattern"] as? String, let name = claim["name"] as? String else { return nil }
            return (pattern, name)
        }, uniquingKeysWith: { a, _ in a })
        for (write, output) in acknowledged {
            switch write {
            case .note(_, let text): #expect(noted.contains(text), "acknowledged note '\(text)' is in the feed")
            case .start(let name):
                #expect(listed.contains { $0["id"] as? String == output && $0["name"] as? String == name },
                        "acknowledged start of \(name) (\(output)) is listed")
            case .claim(let session, let path): #expect(holders[path] == session, "acknowledged claim of \(path) is held by \(session)")
            }
        }

        let fsck = try runProcess("/usr/bin/git", ["fsck", "--strict", "--no-progress", "--no-dangling"], in: scratch.repo,
                                  environment: scratch.environment)
        #expect(fsck.succeeded && !fsck.stdout.contains("error") && !fsck.stderr.contains("error"), "\(fsck)")
        let doctor = try scratch.coord(["doctor", "--fix"])
        #expect(doctor.status == 0, "whatever doctor finds (killed writers' locks in folders nobody wrote since) it removes: \(doctor)")
        let healthy = try scratch.coord(["doctor"])
        #expect(healthy.status == 0 && healthy.stdout.isEmpty, "\(healthy)")
        print("crash consistency: \(spawned) writers in \(String(format: "%.1f", storm)) s, \(killedWrites.count) killed, "
              + "\(acknowledged.count) acknowledged and all present, \(locksLeft.count) ref locks left by killed writers; "
              + "\(survivors.count) survivors wrote twice each and the killed writes were done again in "
              + "\(String(format: "%.2f", survivorsTook)) s; doctor --fix: "
              + "\(doctor.stdout.split(separator: "\n").count) removed")
    }
}
