import CoordTestSupport
import Foundation

/// Issue 3's targets: `git coord inbox` with nothing unread must not grow with history (100,000 notes against
/// 100, ratio at most 1.2), and the rate of `git coord note` beside the same record written with git plumbing.
enum MessagingBenchmark {
    static func run() {
        // Both repositories first, then the two inboxes timed alternately: timing one right after writing
        // 100,000 records would time the disk's write-back too.
        let (large, small) = Measure.medians(inbox(history: 100_000), inbox(history: 100))
        Measure.report("git coord inbox, nothing unread, 100,000 notes", ours: large, baseline: small,
                       baselineLabel: "same, 100 notes", target: 1.2)
        noteRate()
    }

    static let writers = 4

    /// A run of `git coord inbox` with nothing unread, for a reader who has seen `history` notes from four writers.
    static func inbox(history: Int) -> () -> Void {
        let scratch = try! Scratch()
        mustRun(scratch, coordBinary, ["init"])
        let reader = try! runProcess(coordBinary, ["start", "--name", "reader"], in: scratch.repo, environment: scratch.environment).output
        let ids = (0..<writers).map { index in
            try! runProcess(coordBinary, ["start", "--name", "writer\(index)"], in: scratch.repo, environment: scratch.environment).output
        }
        importHistory(history, writers: ids, into: scratch)
        let env = ["GIT_COORD_SESSION": reader]
        // The reader reads (and marks seen) the whole history once; what is measured is the next read.
        mustRun(scratch, coordBinary, ["inbox", "--json"], env: env)
        let check = try! runProcess(coordBinary, ["inbox", "--peek", "--json"], in: scratch.repo,
                                    environment: scratch.environment.merging(env) { $1 })
        let unread = (try! JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as! [String: Any])["items"] as! [Any]
        precondition(check.succeeded && unread.isEmpty, "the inbox should be empty: \(check)")
        let environment = scratch.environment.merging(env) { $1 }
        return {
            precondition(spawnQuietly(coordBinary, ["inbox"], in: scratch.repo, environment: environment) == 0, "inbox failed")
        }
    }

    /// Writes `count` note records, interleaved over the writers' logs with a rising clock, with one
    /// `git fast-import` (100,000 processes would take longer than the benchmark is worth).
    static func importHistory(_ count: Int, writers: [String], into scratch: Scratch) {
        var stream = ""
        stream.reserveCapacity(count * 400)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for index in 0..<count {
            let writer = writers[index % writers.count]
            let record = "{\"at\":\(now),\"branch\":\"main\",\"clock\":\(index + 1),\"from\":\"\(writer)\","
                + "\"fromName\":\"writer\(index % writers.count)\",\"kind\":\"note\",\"seq\":\(index / writers.count + 1),"
                + "\"text\":\"history note \(index)\",\"version\":1}"
            let message = "note from writer\(index % writers.count)"
            stream += "commit refs/coord/v1/log/\(writer)\ncommitter git-coord <git-coord@localhost> \(now / 1000) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)\nM 100644 inline record.json\ndata \(record.utf8.count)\n\(record)\n\n"
        }
        let result = try! runProcess("/usr/bin/git", ["fast-import", "--quiet"], in: scratch.repo,
                                     environment: scratch.environment, stdin: Data(stream.utf8))
        precondition(result.succeeded, "git fast-import failed: \(result)")
    }

    /// Notes per second written by `git coord note`, one process per note, beside the same record written
    /// with `git hash-object -w` + `git mktree` + `git commit-tree` + `git update-ref`.
    static func noteRate(count: Int = 200) {
        let scratch = try! Scratch()
        mustRun(scratch, coordBinary, ["init"])
        let id = try! runProcess(coordBinary, ["start", "--name", "writer"], in: scratch.repo, environment: scratch.environment).output
        let env = scratch.environment.merging(["GIT_COORD_SESSION": id]) { $1 }
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<count {
            precondition(spawnQuietly(coordBinary, ["note", "benchmark note \(index)"], in: scratch.repo, environment: env) == 0,
                         "git coord note failed")
        }
        let ours = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

        let ref = "refs/coord/v1/plumbing"
        let input = scratch.root + "/plumbing-in", output = scratch.root + "/plumbing-out"
        var parent: String?
        let plumbingStart = DispatchTime.now().uptimeNanoseconds
        for index in 0..<count {
            let record = "{\"at\":0,\"clock\":\(index + 1),\"from\":\"\(id)\",\"fromName\":\"writer\",\"kind\":\"note\",\"seq\":\(index + 1),\"text\":\"benchmark note \(index)\",\"version\":1}"
            func git(_ arguments: [String], stdin: String? = nil) -> String {
                if let stdin { FileManager.default.createFile(atPath: input, contents: Data(stdin.utf8)) }
                let status = spawnQuietly("/usr/bin/git", arguments, in: scratch.repo, environment: scratch.environment,
                                       stdin: stdin == nil ? "/dev/null" : input, stdout: output)
                precondition(status == 0, "git \(arguments.joined(separator: " ")) failed")
                return String(decoding: FileManager.default.contents(atPath: output)!, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let blob = git(["hash-object", "-w", "--stdin"], stdin: record)
            let tree = git(["mktree"], stdin: "100644 blob \(blob)\trecord.json\n")
            let commit = git(["commit-tree", tree, "-m", "note"] + (parent.map { ["-p", $0] } ?? []))
            _ = git(["update-ref", ref, commit] + (parent.map { [$0] } ?? []))
            parent = commit
        }
        let plumbing = Double(DispatchTime.now().uptimeNanoseconds - plumbingStart) / 1e9
        Measure.line(String(format: "%-52@ %8.0f notes/s   git plumbing (4 commands) %6.0f notes/s   ratio %5.2f (higher is better)",
                            "git coord note, one process per note" as NSString, Double(count) / ours, Double(count) / plumbing,
                            plumbing / ours))
    }
}
