import CoordTestSupport
import Foundation

/// What background sync costs the hooks: the agent's PreToolUse hook and git's pre-commit hook in a clone that
/// shares a remote with `coord.syncInterval` 1h (a sync is never due during the run, so each hook pays only the check:
/// a config read and a stat), against the same clone with background sync off (`coord.syncInterval` 0), timed
/// alternately. And the hook when a sync is due every time: it starts the detached sync and returns.
enum BackgroundSyncBenchmark {
    struct Clone {
        let lab: CloneLab
        var clone: String { lab.clones[0] }
        let event: String
    }

    static func clone(interval: String) -> Clone {
        let lab = try! CloneLab(clones: 1, overDaemon: false)
        let scratch = lab.scratch
        let clone = lab.clones[0]
        mustRun(scratch, coordBinary, ["init", "--remote", "origin"], in: clone)
        mustRun(scratch, "/usr/bin/git", ["config", "coord.syncInterval", interval], in: clone)
        for index in 0..<5 {
            mustRun(scratch, coordBinary, ["start", "--name", "s\(index)"], in: clone, env: ["GIT_COORD_SESSION": ""])
        }
        mustRun(scratch, coordBinary, ["sync"], in: clone)
        let path = scratch.root + "/pre.json"
        try! """
            {"session_id":"bench-bg","cwd":"\(clone)","hook_event_name":"PreToolUse","tool_name":"Edit",\
            "tool_input":{"file_path":"\(clone)/src/app.js","old_string":"a","new_string":"b"}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let start = scratch.root + "/start.json"
        try! #"{"session_id":"bench-bg","cwd":"\#(clone)","hook_event_name":"SessionStart","source":"startup"}"#
            .write(toFile: start, atomically: true, encoding: .utf8)
        mustRun(scratch, coordBinary, ["hook", "claude"], in: clone, stdin: start)
        return Clone(lab: lab, event: path)
    }

    /// Median times of `command` in one clone with background sync on (not due) and off, alternately: the
    /// setting is flipped between runs, outside the timing, so both sides see the same repository.
    static func onOff(_ on: Clone, _ arguments: [String], stdin: String = "/dev/null") -> (Double, Double) {
        var times: [[Double]] = [[], []]
        for run in 0..<43 {
            let enabled = run % 2 == 0
            mustRun(on.lab.scratch, "/usr/bin/git", ["config", "coord.syncInterval", enabled ? "1h" : "0"], in: on.clone)
            let start = DispatchTime.now().uptimeNanoseconds
            mustRun(on.lab.scratch, coordBinary, arguments, in: on.clone, stdin: stdin)
            if run >= 2 { times[enabled ? 0 : 1].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        return (times[0].sorted()[times[0].count / 2], times[1].sorted()[times[1].count / 2])
    }

    static func run() {
        let on = clone(interval: "1h")  // its SessionStart made the one attempt of the hour
        Measure.line("background sync: hooks in a clone sharing a remote, 5 live sessions")
        let (agentOn, agentOff) = onOff(on, ["hook", "claude"], stdin: on.event)
        let (commitOn, commitOff) = onOff(on, ["hook", "pre-commit"])
        for (label, with, without) in [("hook claude PreToolUse", agentOn, agentOff), ("hook pre-commit", commitOn, commitOff)] {
            Measure.line(String(format: "  %@: %.2f ms with background sync on and not due, %.2f ms off (%+.2f ms)",
                                label as NSString, with * 1000, without * 1000, (with - without) * 1000))
        }
        mustRun(on.lab.scratch, "/usr/bin/git", ["config", "coord.syncInterval", "1h"], in: on.clone)
        // Due at every run: the stamp is set back first, and the sync the hook started is waited for after the
        // timing, so that runs do not overlap.
        let stamp = on.clone + "/.git/coord/sync-attempt"
        var due: [Double] = []
        for _ in 0..<21 {
            var times = [timespec(tv_sec: 0, tv_nsec: 0), timespec(tv_sec: 0, tv_nsec: 0)]
            utimensat(AT_FDCWD, stamp, &times, 0)
            let start = DispatchTime.now().uptimeNanoseconds
            mustRun(on.lab.scratch, coordBinary, ["hook", "claude"], in: on.clone, stdin: on.event)
            due.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            let lock = open(on.clone + "/.git/coord-sync.lock", O_RDWR)
            flock(lock, LOCK_EX)
            close(lock)
        }
        Measure.line(String(format: "  hook claude PreToolUse when a sync is due (it starts one, detached, and returns): %.2f ms",
                            due.sorted()[due.count / 2] * 1000))
    }
}
