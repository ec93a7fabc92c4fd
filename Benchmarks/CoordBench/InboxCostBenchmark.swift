import CoordTestSupport
import Foundation

/// Reads whose cost must follow what they return, not what others wrote, each written by the real
/// `git coord` commands, one process per item, as sessions write them:
/// - an inbox with nothing for its reader after 900 direct messages between two other sessions, against the same
///   read with no such traffic (within 1.3x);
/// - an inbox returning 20 items among ~1,000 of history, against returning 20 among 20 (within 1.5x);
/// - an inbox returning 1,000 items, beside `git log -p` of as many record commits (the target against the previous
///   version, 3x faster, is measured by running this with `GIT_COORD_BIN` set to it: see README, "Performance");
/// - the store those ~2,000 items leave on disk: a few KiB per item, below `git gc --auto`'s thresholds.
enum InboxCostBenchmark {
    static func run() {
        let busy = World(traffic: 900)
        let quiet = World(traffic: 0)
        for world in [busy, quiet] { world.waitForQuietStore() }
        let (nothingBusy, nothingQuiet) = Measure.medians(busy.peek, quiet.peek)
        Measure.report("inbox --peek, nothing new, after 900 DMs of others", ours: nothingBusy, baseline: nothingQuiet,
                       baselineLabel: "same, no such traffic", target: 1.3)

        busy.itemsForReader(20)
        quiet.itemsForReader(20)
        busy.expectUnread(20)
        quiet.expectUnread(20)
        for world in [busy, quiet] { world.waitForQuietStore() }
        let (twentyBusy, twentyQuiet) = Measure.medians(busy.peek, quiet.peek)
        Measure.report("inbox --peek returning 20, ~1,000 items of history", ours: twentyBusy, baseline: twentyQuiet,
                       baselineLabel: "returning 20 of 20", target: 1.5)

        quiet.itemsForReader(980)
        quiet.expectUnread(1000)
        quiet.waitForQuietStore()
        let gitLog = quiet.gitLogOfRecords(1000)
        let (thousand, log) = Measure.medians(quiet.peek, gitLog)
        Measure.report("inbox --peek returning 1,000", ours: thousand, baseline: log,
                       baselineLabel: "git log -p, 1,000 records", target: 1.0)

        quiet.reportStore(label: "store after \(quiet.items) items (1,000 to one reader)")
        busy.reportStore(label: "store after \(busy.items) items (900 DMs of others)")
    }

    /// A reader that has read everything so far, and two other sessions, alice and bob, that write.
    final class World {
        let scratch: Scratch
        let reader: String
        let alice: String
        let bob: String
        private(set) var items = 0

        init(traffic: Int) {
            let scratch = try! Scratch()
            self.scratch = scratch
            mustRun(scratch, coordBinary, ["init"])
            func start(_ name: String) -> String {
                try! runProcess(coordBinary, ["start", "--name", name], in: scratch.repo,
                                environment: scratch.environment.merging(["GIT_COORD_SESSION": ""]) { $1 }).output
            }
            reader = start("reader")
            alice = start("alice")
            bob = start("bob")
            // The reader has read something from both writers before: it has a cursor position in each log.
            write(as: alice, ["note", "alice is here"])
            write(as: bob, ["note", "bob is here"])
            mustRun(scratch, coordBinary, ["inbox"], env: ["GIT_COORD_SESSION": reader])
            for index in 0..<traffic {
                if index % 2 == 0 {
                    write(as: alice, ["send", "bob", "alice to bob \(index)"])
                } else {
                    write(as: bob, ["send", "alice", "bob to alice \(index)"])
                }
            }
        }

        func write(as session: String, _ arguments: [String]) {
            mustRun(scratch, coordBinary, arguments, env: ["GIT_COORD_SESSION": session])
            items += 1
        }

        /// Half notes from alice, half direct messages from bob to the reader.
        func itemsForReader(_ count: Int) {
            for index in 0..<count {
                if index % 2 == 0 {
                    write(as: alice, ["note", "note \(index) for everyone"])
                } else {
                    write(as: bob, ["send", "reader", "message \(index) for the reader"])
                }
            }
        }

        var peek: () -> Void {
            { mustRun(self.scratch, coordBinary, ["inbox", "--peek"], env: ["GIT_COORD_SESSION": self.reader]) }
        }

        func expectUnread(_ count: Int) {
            let result = try! runProcess(coordBinary, ["inbox", "--peek", "--json"], in: scratch.repo,
                                         environment: scratch.environment.merging(["GIT_COORD_SESSION": reader]) { $1 })
            let json = try! JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
            let found = (json["items"] as! [Any]).count
            precondition(found == count, "the reader should have \(count) unread items, not \(found)")
        }

        /// `git log -p` of the newest `count` record commits of the two logs: the commits, trees and blobs git itself
        /// reads to show as many records.
        func gitLogOfRecords(_ count: Int) -> () -> Void {
            let logs = [alice, bob].map { "refs/coord/v1/log/\($0)" }
            return { mustRun(self.scratch, "/usr/bin/git", ["log", "-p", "--format=%B", "-n", "\(count)"] + logs) }
        }

        func waitForQuietStore() { Store.waitForPacking(scratch.repo) }

        func reportStore(label: String) {
            let store = Store.measure(scratch.repo + "/.git/objects")
            let perItem = Double(store.bytes) / 1024 / Double(items)
            // git gc --auto packs when objects/17 holds more than gc.auto / 256 (6700 / 256: 27) loose objects, or
            // when there are more than gc.autoPackLimit (50) packs.
            let autoGC = store.inFolder17 > 27 || store.packs > 50
            Measure.line(String(format: "%-52@ %8.2f KiB/item  (%d loose objects, %d packs, %.0f KiB; git gc --auto would %@run)",
                                label as NSString, perItem, store.loose, store.packs, Double(store.bytes) / 1024,
                                (autoGC ? "" : "not ") as NSString))
        }
    }

    /// What an object folder holds on disk (allocated blocks, as `du` counts them).
    struct Store: Equatable {
        /// Waits until git-coord's background packing (if any) is done: its lock free and the objects unchanged for a
        /// while. What is measured is the steady state, not a packer sharing the two cores with the commands timed.
        static func waitForPacking(_ repo: String) {
            var last = measure(repo + "/.git/objects")
            for _ in 0..<80 {
                usleep(250_000)
                let now = measure(repo + "/.git/objects")
                if now == last && packerIdle(repo) { return }
                last = now
            }
        }

        static func packerIdle(_ repo: String) -> Bool {
            let fd = open(repo + "/.git/coord/pack.lock", O_RDWR)
            guard fd >= 0 else { return true }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
            flock(fd, LOCK_UN)
            return true
        }

        var loose = 0
        var packs = 0
        var bytes = 0
        var inFolder17 = 0

        static func measure(_ objects: String) -> Store {
            var store = Store()
            let manager = FileManager.default
            for folder in (try? manager.contentsOfDirectory(atPath: objects)) ?? [] {
                let path = objects + "/" + folder
                for name in (try? manager.contentsOfDirectory(atPath: path)) ?? [] {
                    var info = stat()
                    guard stat(path + "/" + name, &info) == 0 else { continue }
                    store.bytes += Int(info.st_blocks) * 512
                    if folder.count == 2 {
                        store.loose += 1
                        if folder == "17" { store.inFolder17 += 1 }
                    } else if folder == "pack" && name.hasSuffix(".pack") {
                        store.packs += 1
                    }
                }
            }
            return store
        }
    }
}
