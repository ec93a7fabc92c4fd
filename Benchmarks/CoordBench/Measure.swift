import CoordTestSupport
import Foundation

/// Times whole commands, as a user's shell or git hook would run them, and reports medians and ratios
/// against git's own commands measured in the same run.
enum Measure {
    /// The median wall time, in seconds, of `runs` runs of `body` (after one warm-up run).
    static func median(runs: Int = 21, _ body: () throws -> Void) rethrows -> Double {
        try body()
        let times = try (0..<runs).map { _ in try seconds(body) }.sorted()
        return times[times.count / 2]
    }

    /// The medians of `a` and `b`, run alternately (after one warm-up run each): a slow patch of a shared
    /// machine then weighs on both sides of a ratio alike.
    static func medians(runs: Int = 21, _ a: () throws -> Void, _ b: () throws -> Void) rethrows -> (Double, Double) {
        try a()
        try b()
        var timesA: [Double] = [], timesB: [Double] = []
        for _ in 0..<runs {
            timesA.append(try seconds(a))
            timesB.append(try seconds(b))
        }
        return (timesA.sorted()[runs / 2], timesB.sorted()[runs / 2])
    }

    private static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Prints one comparison: ours against the baseline, the ratio, and whether the target holds.
    static func report(_ label: String, ours: Double, baseline: Double, baselineLabel: String, target: Double) {
        let ratio = ours / baseline
        let verdict = ratio <= target ? "ok" : "OVER TARGET"
        print(String(format: "%-52@ %8.2f ms   %@ %8.2f ms   ratio %5.2f (target <= %.2f) %@",
                     label as NSString, ours * 1000, baselineLabel as NSString, baseline * 1000, ratio, target, verdict as NSString))
        fflush(nil)  // row by row: an area that fails leaves the rows before it on screen
    }

    static func line(_ text: String) {
        print(text)
        fflush(nil)
    }
}

/// Runs a command in `directory` and fails loudly if it fails: a benchmark of a failing command means nothing.
/// Spawned directly (posix_spawn, output to /dev/null) so the figures measure the command, not the harness.
func mustRun(_ scratch: Scratch, _ executable: String, _ arguments: [String], in directory: String? = nil,
             env: [String: String] = [:], stdin: String = "/dev/null") {
    var environment = scratch.environment
    environment.merge(env) { $1 }
    let status = spawnQuietly(executable, arguments, in: directory ?? scratch.repo, environment: environment, stdin: stdin)
    if status != 0 {
        fatalError("\(executable) \(arguments.joined(separator: " ")) exited with \(status)")
    }
}
