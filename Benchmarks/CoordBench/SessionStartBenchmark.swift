import CoordTestSupport
import Foundation

/// What an agent pays when a session starts (or resumes): its SessionStart hook, with 50 other live sessions, against
/// the same hook in the same repository state but for 100 pinned findings, which every starting session is shown.
/// Target: the pins (and arrivals' roster) keep SessionStart under 2x the cost without them.
enum SessionStartBenchmark {
    static func run() {
        let (plain, pinned) = (repository(pins: 0), repository(pins: 100))
        let (withPins, withoutPins) = Measure.medians(
            { mustRun(pinned.scratch, coordBinary, ["hook", "claude"], in: pinned.worktree, stdin: pinned.event) },
            { mustRun(plain.scratch, coordBinary, ["hook", "claude"], in: plain.worktree, stdin: plain.event) })
        Measure.report("hook claude SessionStart, 50 sessions + 100 pins", ours: withPins, baseline: withoutPins,
                       baselineLabel: "the same, no pins", target: 2.0)
    }

    static func repository(pins: Int) -> (scratch: Scratch, worktree: String, event: String) {
        let scratch = try! Scratch()
        mustRun(scratch, coordBinary, ["init"])
        var first = ""
        for index in 0..<50 {
            let id = try! scratch.coordOK("start", "--name", "s\(index)", "--task", "task number \(index)", env: ["GIT_COORD_SESSION": ""])
            if index == 0 { first = id }
        }
        for index in 0..<pins {
            mustRun(scratch, coordBinary, ["pin", "--session", first, "finding \(index): the module \(index) lives in src/m\(index)/"])
        }
        let worktree = try! scratch.addWorktree("agent")
        let event = scratch.root + "/start.json"
        try! """
            {"session_id":"bench-start","transcript_path":"/tmp/t.jsonl","cwd":"\(worktree)","hook_event_name":"SessionStart","source":"resume"}
            """.write(toFile: event, atomically: true, encoding: .utf8)
        mustRun(scratch, coordBinary, ["hook", "claude"], in: worktree, stdin: event)
        return (scratch, worktree, event)
    }
}
