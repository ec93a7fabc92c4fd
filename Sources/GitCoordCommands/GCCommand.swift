import ArgumentParser
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
        whole: sync across clones only ever fast-forwards. Unreferenced objects go with the next 'git gc'.
          git coord gc --dry-run     # what would go, what stays and why
          git config coord.gcRetention 2d
        """
    )

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
        try withCoordination { coordination in
            var policy = try coordination.retentionPolicy()
            if let retention { policy.retention = try durationOption(retention, "--retention") }
            if let staleAfter { policy.staleAfter = try durationOption(staleAfter, "--stale-after") }
            let report = try coordination.collectGarbage(policy, dryRun: dryRun)
            guard verbose || dryRun else { return }
            for ref in report.dropped { print((dryRun ? "would drop " : "dropped ") + ref) }
            for (ref, reason) in report.kept { print("kept \(ref): \(reason)") }
        }
    }
}
