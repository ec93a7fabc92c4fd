import CoordTestSupport
import Foundation

/// Issue 4's targets, with 20 live sessions holding 1,000 claims:
/// - `git commit` of 100 files with git-coord's hooks against the same commit without them: the hooks add
///   under 30% or 10 ms, whichever is larger;
/// - `git coord check` of one path against `git for-each-ref refs/coord`: within 2x.
enum ClaimsBenchmark {
    static let sessions = 20
    static let claimsPerSession = 50
    static let files = 100

    static func run() {
        let scratch = try! Scratch()
        mustRun(scratch, coordBinary, ["init"])
        for index in 0..<sessions {
            let id = try! scratch.coordOK("start", "--name", "s\(index)", "--task", "task number \(index)",
                                          env: ["GIT_COORD_SESSION": ""])
            let paths = (0..<claimsPerSession).map { "area\(index)/file\($0).js" }
            mustRun(scratch, coordBinary, ["claim", "--session", id] + paths)
        }
        // The committer works in its own worktree, with its own session; one of its files is claimed by s0,
        // so the hook has something to say, as it would in real use.
        let worktree = try! scratch.addWorktree("committer")
        mustRun(scratch, coordBinary, ["start", "--name", "committer"], in: worktree)
        mustRun(scratch, coordBinary, ["claim", "--session", "s0", "work/file0.txt"])
        let noHooks = scratch.root + "/no-hooks"
        let preCommitOnly = scratch.root + "/pre-commit-only"
        try! FileManager.default.createDirectory(atPath: noHooks, withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: preCommitOnly, withIntermediateDirectories: true)
        try! FileManager.default.copyItem(atPath: scratch.repo + "/.git/hooks/pre-commit", toPath: preCommitOnly + "/pre-commit")

        var round = 0
        func commitMedian(_ extra: [String]) -> Double {
            medianOfCommits {
                round += 1
                for file in 0..<files { try! scratch.write("work/file\(file).txt", "round \(round)\n", in: worktree) }
                mustRun(scratch, "/usr/bin/git", ["add", "work"], in: worktree)
                // post-commit refreshes presence in the background; let the last one finish (untimed) so that
                // it does not compete with the commit being timed, as it would not between a person's commits.
                usleep(50_000)
            } commit: {
                spawnAndWait(scratch, "/usr/bin/git", extra + ["commit", "-q", "-m", "round \(round)"], in: worktree)
            }
        }
        let without = commitMedian(["-c", "core.hooksPath=" + noHooks])
        let with = commitMedian([])
        let preCommit = commitMedian(["-c", "core.hooksPath=" + preCommitOnly])
        let target = max(1.3, (without + 0.010) / without)
        Measure.report("git commit, 100 files, git-coord hooks, 1,000 claims", ours: with, baseline: without,
                       baselineLabel: "without hooks", target: target)
        Measure.report("git commit, 100 files, pre-commit hook only", ours: preCommit, baseline: without,
                       baselineLabel: "without hooks", target: target)

        // What any git-coord hook costs before doing anything: start, load libgit2, open, see coordination off.
        let off = try! Scratch()
        let floor = Measure.median { spawnAndWait(off, coordBinary, ["hook", "pre-commit"], in: off.repo) }
        let hookDirect = Measure.median { spawnAndWait(scratch, coordBinary, ["hook", "pre-commit"], in: worktree) }
        Measure.line(String(format: "  (git-coord hook pre-commit alone: %.2f ms; with coordination off, the start-up floor: %.2f ms)",
                            hookDirect * 1000, floor * 1000))
        let refresh = Measure.median { spawnAndWait(scratch, coordBinary, ["hook", "post-commit"], in: worktree) }
        Measure.line(String(format: "  (post-commit's background presence refresh, not waited for by git: %.2f ms)", refresh * 1000))

        let check = Measure.median { spawnAndWait(scratch, coordBinary, ["check", "src/app.js"], in: worktree) }
        let forEachRef = Measure.median { spawnAndWait(scratch, "/usr/bin/git", ["for-each-ref", "refs/coord"], in: worktree) }
        Measure.report("git coord check, one path, 1,000 claims", ours: check, baseline: forEachRef,
                       baselineLabel: "git for-each-ref refs/coord", target: 2.0)
    }

    /// The median time of `commit` alone over `runs` rounds, each prepared (untimed) by `prepare`.
    static func medianOfCommits(runs: Int = 15, prepare: () -> Void, commit: () -> Void) -> Double {
        prepare()
        commit()  // warm-up
        var times: [Double] = []
        for _ in 0..<runs {
            prepare()
            let start = DispatchTime.now().uptimeNanoseconds
            commit()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }
}
