import CoordTestSupport
import Foundation
import Testing

/// `git coord watch` in a real terminal (tmux: send-keys, capture-pane), and `--json` through a pipe.
@Suite(.serialized) struct WatchTests {
    /// A tmux server of the test's own, with one window running `git coord watch` in the repository.
    final class Screen {
        let scratch: Scratch
        let socket: String

        var statusFile: String { scratch.root + "/watch.status" }

        /// The pane runs the watch command itself (`pid`), or, with `keepStatus`, a shell that runs it and writes its
        /// exit status (`exitStatus`), the pane staying open to be looked at.
        init(_ scratch: Scratch, width: Int = 110, height: Int = 40, keepStatus: Bool = false) throws {
            self.scratch = scratch
            socket = scratch.root + "/tmux.sock"
            let command = keepStatus ? "'\(coordBinary)' watch; echo $? > '\(statusFile)'; sleep 60" : "exec '\(coordBinary)' watch"
            try tmux("new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-c", scratch.repo, command)
        }

        /// Ends the tmux server and whatever runs in it (each test defers it: the server outlives this object).
        func stop() {
            do { try tmux("kill-server") } catch { Issue.record("\(error)") }
        }

        /// Runs tmux as a shell would: no descriptor but stdin, stdout and stderr (the server it may start lives on,
        /// and holding one of the test process's, which Foundation's Process leaves open in children, would stall the
        /// test), and no signal blocked (children inherit the mask of the test's thread, where SIGHUP and SIGTERM are
        /// blocked: kill-server could not end what runs in the panes).
        static let cleanStart = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, set()); "
            + "os.closerange(3, 65536); os.execv(sys.argv[1], sys.argv[1:])"

        @discardableResult
        func tmux(_ arguments: String...) throws -> String {
            let result = try runProcess("/usr/bin/python3", ["-c", Self.cleanStart, "/usr/bin/tmux", "-S", socket] + arguments,
                                        in: scratch.repo, environment: scratch.environment)
            guard result.succeeded else { throw TmuxFailure(description: "tmux \(arguments.joined(separator: " ")): \(result)") }
            return result.stdout
        }

        var text: String { (try? tmux("capture-pane", "-p")) ?? "" }
        var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        var pid: Int32 { Int32((try? tmux("display-message", "-p", "#{pane_pid}"))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0 }
        /// The watch command's exit status, once it exited (with `keepStatus`).
        var exitStatus: String? {
            // The shell creates the file before it writes the status: empty is not yet.
            (try? String(contentsOfFile: statusFile, encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .flatMap { $0.isEmpty ? nil : $0 }
        }

        /// Waits up to `seconds` for the screen to satisfy `check`; returns the screen then.
        @discardableResult
        func waitFor(within seconds: Double = 1.0, _ what: String, _ check: (String) -> Bool) -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var screen = text
            while !check(screen) && Date() < deadline {
                usleep(20_000)
                screen = text
            }
            #expect(check(screen), "within \(seconds)s: \(what); the screen:\n\(screen)")
            return screen
        }
    }

    struct TmuxFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// CPU time a process has used, in seconds (user + system, from /proc).
    func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func eachChangeShowsWithinASecondAndIdleCostsNothing() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let screen = try Screen(scratch)
        defer { screen.stop() }
        screen.waitFor("the first frame") { $0.contains("Sessions") && $0.contains("Claims") && $0.contains("Notes") }
        // The watch command runs in the pane itself: its own pid.
        let watchPid = screen.pid
        #expect(try String(contentsOfFile: "/proc/\(watchPid)/cmdline", encoding: .utf8).contains("watch"))

        let alice = try scratch.coordOK("start", "--name", "alice", "--task", "Rewrite the parser")
        screen.waitFor("a session started") { $0.contains("› alice") && $0.contains("task: Rewrite the parser") }
        try scratch.coordOK("note", "Renamed getLabel to t()", env: ["GIT_COORD_SESSION": alice])
        screen.waitFor("a note") { $0.contains("alice (main)") && $0.contains("Renamed getLabel to t()") }
        try scratch.coordOK("claim", "README.md", "--reason", "new intro", env: ["GIT_COORD_SESSION": alice])
        screen.waitFor("a claim") { $0.contains("› README.md  alice  59m left  new intro") }
        let bob = try scratch.coordOK("start", "--name", "bob")
        screen.waitFor("a second session") { $0.contains("› bob") && $0.contains("2 live") }
        try scratch.coordOK("stop", env: ["GIT_COORD_SESSION": bob])
        screen.waitFor("a stop") { $0.contains("1 live") && $0.contains("bob  main") && $0.contains("ended") }
        // A claim whose holder stops is void at once: the view follows.
        try scratch.coordOK("stop", env: ["GIT_COORD_SESSION": alice])
        screen.waitFor("a void claim") { $0.contains("Claims  0 live") }

        // Idle: only the clock ticks (ages move on: "seen 3s ago"), and it costs next to nothing.
        let before = try cpuSeconds(watchPid)
        sleep(10)
        let used = try cpuSeconds(watchPid) - before
        #expect(used < 0.1, "over 10 s idle the view used \(used) s of CPU (the target is under 1% of a core)")
        screen.waitFor("ages tick") { $0.contains("ended 1") }
    }

    @Test func itFitsTheTerminalRedrawsOnResizeAndQuitsCleanly() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alice", "--task", String(repeating: "a long task ", count: 20))
        let screen = try Screen(scratch, width: 120, height: 30, keepStatus: true)
        defer { screen.stop() }
        screen.waitFor("the frame") { $0.contains("a long task") }
        #expect(screen.lines.allSatisfy { $0.count <= 120 })

        try screen.tmux("resize-window", "-x", "50", "-y", "12")
        let narrow = screen.waitFor("a redraw at the new size") { screen in
            screen.contains("…") && screen.split(separator: "\n").allSatisfy { $0.count <= 50 }
        }
        #expect(narrow.split(separator: "\n").count <= 12, "\(narrow)")

        try screen.tmux("send-keys", "q")
        let deadline = Date().addingTimeInterval(2)
        while screen.exitStatus == nil && Date() < deadline { usleep(20_000) }
        #expect(screen.exitStatus == "0", "q quits with status 0")
        // The alternate screen is left: what was there before (nothing) is back, and the cursor with it.
        #expect(!screen.text.contains("Sessions"), "\(screen.text)")
        #expect(try screen.tmux("display-message", "-p", "#{cursor_flag}").hasPrefix("1"), "the cursor is shown again")
    }

    @Test func controlCQuitsCleanlyToo() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let screen = try Screen(scratch, keepStatus: true)
        defer { screen.stop() }
        screen.waitFor("the frame") { $0.contains("Sessions") }
        try screen.tmux("send-keys", "C-c")
        let deadline = Date().addingTimeInterval(2)
        while screen.exitStatus == nil && Date() < deadline { usleep(20_000) }
        #expect(screen.exitStatus == "0", "Ctrl-C ends it as q does")
        #expect(!screen.text.contains("Sessions"))
    }

    @Test func jsonStreamsOneEventPerChange() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let early = try scratch.coordOK("start", "--name", "early")
        let out = scratch.root + "/watch.jsonl"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let watch = Process()
        watch.executableURL = URL(fileURLWithPath: coordBinary)
        watch.arguments = ["watch", "--json"]
        watch.currentDirectoryURL = URL(fileURLWithPath: scratch.repo)
        watch.environment = scratch.environment
        watch.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try watch.run()
        defer { if watch.isRunning { watch.terminate() } }

        func events(count: Int) -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(2)
            var parsed: [[String: Any]] = []
            repeat {
                let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                parsed = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                if parsed.count >= count { break }
                usleep(20_000)
            } while Date() < deadline
            return parsed
        }
        let first = events(count: 1)
        #expect(first.first?["event"] as? String == "snapshot" && first.first?["schema"] as? String == "git-coord.watch/1")
        #expect((first.first?["sessions"] as? [[String: Any]])?.map { $0["name"] as? String } == ["early"])

        let alice = try scratch.coordOK("start", "--name", "alice")
        _ = events(count: 2)
        try scratch.coordOK("note", "hello", env: ["GIT_COORD_SESSION": alice])
        _ = events(count: 3)
        try scratch.coordOK("claim", "README.md", env: ["GIT_COORD_SESSION": alice])
        _ = events(count: 4)
        try scratch.coordOK("stop", env: ["GIT_COORD_SESSION": early])
        let all = events(count: 5)
        #expect(all.map { $0["event"] as? String ?? "?" } == ["snapshot", "session.started", "note", "claim.taken", "session.ended"], "\(all)")
        #expect((all[1]["session"] as? [String: Any])?["name"] as? String == "alice")
        #expect((all[2]["note"] as? [String: Any])?["text"] as? String == "hello")
        #expect((all[3]["claim"] as? [String: Any])?["pattern"] as? String == "README.md")
        #expect((all[4]["session"] as? [String: Any])?["state"] as? String == "ended")
        watch.terminate()
        watch.waitUntilExit()
        #expect(watch.terminationStatus == 0, "SIGTERM ends it cleanly")
    }
}
