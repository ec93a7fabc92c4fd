import CoordTestSupport

let coordBinaryDescription = coordBinary

/// Issue 2's target: `git coord list` with 50 live sessions within 2x of `git for-each-ref refs/coord`.
enum PresenceBenchmark {
    static func run() {
        let scratch = try! Scratch()
        mustRun(scratch, coordBinary, ["init"])
        for index in 0..<50 {
            mustRun(scratch, coordBinary, ["start", "--name", "s\(index)", "--task", "task number \(index)"])
        }
        let (list, forEachRef) = Measure.medians({ mustRun(scratch, coordBinary, ["list"]) },
                                                 { mustRun(scratch, "/usr/bin/git", ["for-each-ref", "refs/coord"]) })
        Measure.report("git coord list, 50 live sessions", ours: list, baseline: forEachRef,
                       baselineLabel: "git for-each-ref refs/coord", target: 2.0)
    }
}
