import CoordTestSupport
import Foundation

/// Issue 6's target: `git coord sync` exchanging 1,000 notes each way, against plain `git fetch` + `git push` of
/// the same refs from an identical copy of the same state, in the same run (target: within 1.5x).
enum SyncBenchmark {
    static let notes = 1000
    static let runs = 5

    static func run() {
        var ours: [Double] = []
        var baseline: [Double] = []
        for _ in 0..<runs {
            // Two identical worlds per run: one synced by git-coord, one moved by plain git.
            let world = World()
            let copy = world.duplicate()
            // posix_spawn + waitpid (mustRun): Foundation's Process would add a ~50 ms floor per command,
            // twice to the baseline's two commands and once to ours.
            ours.append(time { mustRun(world.lab.scratch, coordBinary, ["sync"], in: world.clone) })
            InboxCostBenchmark.Store.waitForPacking(world.clone)  // what the sync received may start a packer
            baseline.append(time {
                mustRun(copy.lab.scratch, "/usr/bin/git", ["fetch", "--quiet", "origin", "+refs/coord/v1/*:refs/coord-remotes/origin/v1/*"], in: copy.clone)
                mustRun(copy.lab.scratch, "/usr/bin/git", ["push", "--quiet", "origin"] + copy.ownRefs.map { "\($0):\($0)" }, in: copy.clone)
            })
            world.check()
        }
        Measure.report("git coord sync, \(notes) notes each way", ours: median(ours), baseline: median(baseline),
                       baselineLabel: "git fetch + git push", target: 1.5)
    }

    static func time(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// A remote that holds another clone's 1,000 notes, and a clone with 1,000 notes of its own not yet sent.
    final class World {
        let lab: CloneLab
        let clone: String
        let ownRefs: [String]
        let remoteLog: String

        init() {
            let lab = try! CloneLab(clones: 2, overDaemon: false)
            self.lab = lab
            let other = lab.clones[1]
            let otherSession = Self.start(lab, in: other, name: "other")
            remoteLog = Self.writeNotes(lab, in: other, session: otherSession, name: "other")
            mustRun(lab.scratch, coordBinary, ["sync"], in: other)
            clone = lab.clones[0]
            let session = Self.start(lab, in: clone, name: "mine")
            let log = Self.writeNotes(lab, in: clone, session: session, name: "mine")
            ownRefs = ["refs/coord/v1/sessions/\(session)", log]
        }

        private init(lab: CloneLab, clone: String, ownRefs: [String], remoteLog: String) {
            self.lab = lab
            self.clone = clone
            self.ownRefs = ownRefs
            self.remoteLog = remoteLog
        }

        /// The same state in another folder: remote and clone copied, the clone's origin pointed at the copy.
        func duplicate() -> World {
            let root = lab.scratch.root
            mustRun(lab.scratch, "/bin/cp", ["-a", lab.remotePath, root + "/remote-copy.git"])
            mustRun(lab.scratch, "/bin/cp", ["-a", clone, root + "/clone-copy"])
            mustRun(lab.scratch, "/usr/bin/git", ["remote", "set-url", "origin", "file://" + root + "/remote-copy.git"], in: root + "/clone-copy")
            return World(lab: lab, clone: root + "/clone-copy", ownRefs: ownRefs, remoteLog: remoteLog)
        }

        /// The sync really exchanged everything: the other clone's log arrived, ours is on the remote.
        func check() {
            let received = try! lab.scratch.git("rev-list", "--count", remoteLog, in: clone)
            let sent = try! lab.remoteGit("rev-list", "--count", ownRefs[1])
            guard received == "\(SyncBenchmark.notes)", sent == "\(SyncBenchmark.notes)" else {
                fatalError("sync did not exchange the notes: received \(received), sent \(sent)")
            }
        }

        private static func start(_ lab: CloneLab, in clone: String, name: String) -> String {
            mustRun(lab.scratch, coordBinary, ["init", "--remote", "origin"], in: clone)
            return try! lab.scratch.coordOK("start", "--name", name, in: clone)
        }

        /// 1,000 log records (issue 3's note format) on the session's log, written in one `git fast-import`
        /// stream and stamped with the clone's id, as `git coord note` would write them one by one.
        private static func writeNotes(_ lab: CloneLab, in clone: String, session: String, name: String) -> String {
            let cloneID = try! lab.scratch.git("config", "coord.cloneId", in: clone)
            let ref = "refs/coord/v1/log/\(session)"
            var stream = ""
            let now = Int(Date().timeIntervalSince1970)
            for seq in 1...SyncBenchmark.notes {
                let json = #"{"at":\#(now * 1000 + seq),"clock":\#(seq),"from":"\#(session)","fromName":"\#(name)","kind":"note","seq":\#(seq),"text":"note \#(seq) from \#(name)","version":1}"#
                let message = "note\n\nCoord-Clone: \(cloneID)\n"
                stream += "commit \(ref)\ncommitter git-coord <git-coord@localhost> \(now) +0000\n"
                stream += "data \(message.utf8.count)\n\(message)\n"
                stream += "M 100644 inline record.json\ndata \(json.utf8.count)\n\(json)\n\n"
            }
            let result = try! runProcess("/usr/bin/git", ["fast-import", "--quiet"], in: clone,
                                         environment: lab.scratch.environment, stdin: Data(stream.utf8))
            guard result.succeeded else { fatalError("git fast-import failed: \(result)") }
            return ref
        }
    }
}
