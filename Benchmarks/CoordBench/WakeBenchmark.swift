import CoordTestSupport
import Foundation

/// The target: an idle session is woken within 1 s of a direct message to it. Timed here is git-coord's part:
/// from the moment `git coord send` has written the message to the moment the waiting Stop hook has delivered it and
/// exited 2 (Claude Code then sends the model's next request 38-106 ms later; Tests/agents/test_wake.py prints the
/// whole path in the real CLIs). Beside it, `git coord send` itself, timed in the same runs.
enum WakeBenchmark {
    static func run() {
        let scratch = try! Scratch()
        mustRun(scratch, coordBinary, ["init"])
        let event = { (name: String) -> String in
            let path = scratch.root + "/\(name).json"
            try! #"{"session_id":"bench-alice","cwd":"\#(scratch.repo)","hook_event_name":"\#(name)","source":"startup"}"#
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        mustRun(scratch, coordBinary, ["hook", "claude"], stdin: event("SessionStart"))
        let alice = try! scratch.git("cat-file", "-p", "refs/coord/v1/agents/claude/bench-alice:record.json")
            .components(separatedBy: "\"session\":\"")[1].prefix(12)
        let bob = try! scratch.coordOK("start", "--name", "bob")
        let stop = event("Stop")
        let armed = scratch.repo + "/.git/coord/wake/claude-bench-alice"
        // This process is the agent: CLAUDE_PID names it, and it is the hook's parent.
        var environment = scratch.environment
        environment["CLAUDE_PID"] = String(getpid())
        environment["CLAUDE_PROJECT_DIR"] = scratch.repo

        var wakes: [Double] = [], sends: [Double] = []
        for run in 0..<22 {
            guard let waiter = startQuietly(coordBinary, ["hook", "claude"], in: scratch.repo, environment: environment,
                                            stdin: stop) else { preconditionFailure("cannot start \(coordBinary)") }
            while !FileManager.default.fileExists(atPath: armed) { usleep(1_000) }
            let start = DispatchTime.now().uptimeNanoseconds
            mustRun(scratch, coordBinary, ["send", String(alice), "message \(run)"], env: ["GIT_COORD_SESSION": bob])
            let sent = DispatchTime.now().uptimeNanoseconds
            var status: Int32 = 0
            while waitpid(waiter, &status, 0) == -1 && errno == EINTR {}
            let woken = DispatchTime.now().uptimeNanoseconds
            precondition((status >> 8) & 0xFF == 2, "the waiter did not wake (status \(status))")
            if run > 0 {  // the first is a warm-up
                sends.append(Double(sent - start) / 1e9)
                wakes.append(Double(woken - sent) / 1e9)
            }
        }
        let wake = wakes.sorted()[wakes.count / 2], send = sends.sorted()[sends.count / 2]
        let verdict = wake <= 1.0 ? "ok" : "OVER TARGET"
        Measure.line(String(format: "%-52@ %8.2f ms   git coord send itself %8.2f ms   (target <= 1000 ms) %@",
                            "wake: message written -> waiting Stop hook delivered" as NSString, wake * 1000, send * 1000,
                            verdict as NSString))
    }
}
