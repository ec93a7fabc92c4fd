import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import GitCoordCore

struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Drop the notes, messages and records of sessions that are gone, once nobody needs them.",
        discussion: """
        A session is gone when it ended, or has been stale for longer than coord.gcStaleAfter (default 7d). \
        gc deletes its presence record, its name, its unread cursor and, once its newest item is older than \
        coord.gcRetention (default 7d) and every session that is not gone has seen all of it meant for it, \
        its log of notes and messages. Logs are never rewritten, so the log of a live session is kept \
        whole: sync across clones only ever fast-forwards. Unreferenced objects go with the next 'git gc'. \
        Then it packs git-coord's loose objects; it only ever adds packs and removes loose copies of what \
        they hold. git-coord runs 'gc --auto' itself, in the background, every coord.autoPack records \
        (default 100): it only packs.
          git coord gc --dry-run     # what would go, what stays and why
          git config coord.gcRetention 2d
        """
    )

    @Flag(help: "Only pack git-coord's loose objects, and only if coord.autoPack records were written since the last time.")
    var auto = false

    @Option(help: ArgumentHelp("Keep gone sessions' logs younger than this (default: coord.gcRetention, 7d).", valueName: "duration"))
    var retention: String?

    @Option(help: ArgumentHelp("Stale sessions silent longer than this are gone (default: coord.gcStaleAfter, 7d).", valueName: "duration"))
    var staleAfter: String?

    @Flag(help: "Show what would be dropped, and drop nothing.")
    var dryRun = false

    @Flag(name: [.short, .long], help: "Say what was dropped, and which logs were kept and why.")
    var verbose = false

    func validate() throws {
        if let retention { _ = try durationOption(retention, "--retention") }
        if let staleAfter { _ = try durationOption(staleAfter, "--stale-after") }
    }

    func run() throws {
        if auto {
            // Started in the background by a writer: quiet, gone at once when another packer is at work, and
            // yielding the processor to whatever the person or agent does meanwhile.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            try withCoordination { coordination in
                let packer = StorePacker(repository: coordination.repository)
                if packer.isDue { _ = try packer.pack() }
            }
            return
        }
        try withCoordination { coordination in
            var policy = try coordination.retention.policy()
            if let retention { policy.retention = try durationOption(retention, "--retention") }
            if let staleAfter { policy.staleAfter = try durationOption(staleAfter, "--stale-after") }
            let report = try coordination.retention.collect(policy, dryRun: dryRun)
            let packed = dryRun ? nil : try StorePacker(repository: coordination.repository).pack(wait: true)
            guard verbose || dryRun else { return }
            for ref in report.dropped { print((dryRun ? "would drop " : "dropped ") + ref) }
            for (ref, reason) in report.kept { print("kept \(ref): \(reason)") }
            if let packed, let pack = packed.pack {
                print("packed \(packed.packed) loose objects into pack-\(pack)"
                      + (packed.folded > 0 ? ", with \(packed.folded) earlier packs of git-coord's" : ""))
            }
        }
    }
}
