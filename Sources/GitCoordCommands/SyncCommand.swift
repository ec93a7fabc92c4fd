import ArgumentParser
import GitCoordCore
#if canImport(Glibc)
import Glibc
#endif

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Share coordination with other clones through a git remote: fetch, integrate, push.",
        discussion: """
        Fetches the remote's refs/coord/v1/* into refs/coord-remotes/<remote>/v1/* (a namespace of git-coord's own, never refs/remotes/), integrates it into this clone's refs/coord/v1/, and pushes the refs this clone owns, each named explicitly and each a compare-and-swap on the server. Afterwards 'git coord list' and 'git coord claims' include the other clones' sessions and claims, labelled with their clone.

        Sharing is opt-in per remote; nothing is sent before:
          git coord init --remote origin
          git coord sync                     # coord.remote, else origin
          git coord sync upstream --json
          git coord sync --watch 5m          # keep at it; quiet while offline

        Network transport is your own git (credential helpers, ssh config and protocol v2 work as for your pushes); records are read and written with libgit2. Single-writer logs only fast-forward; a log that forked (a copied .git, a forced push on the remote) is reported and left alone; presence keeps the newest record; two clones that claimed one pattern while apart end with one holder everywhere, and the loser is told.

        Quiet when all went well. Exit status 1 when a ref was refused or a log forked, 128 when the remote cannot be reached (local state is then unchanged).
        """
    )

    @Argument(help: "The remote (default: coord.remote, else origin).", completion: CompletionWords.remotes)
    var remote: String?

    @Flag(name: .shortAndLong, help: "Say what was received and pushed.")
    var verbose = false

    @Option(help: ArgumentHelp("Keep syncing, every DURATION (e.g. 30s, 5m), until interrupted; quiet while offline.",
                               valueName: "duration"))
    var watch: String?

    @OptionGroup var output: JSONOption

    func validate() throws {
        if let watch {
            guard try durationOption(watch, "--watch") >= 1 else {
                throw ValidationError("--watch needs a duration of at least 1s, such as 30s or 5m.")
            }
        }
    }

    func run() throws {
        if let watch {
            try runWatching(every: try DurationParser.seconds(watch))
            return
        }
        let report = try withCoordination { coordination in
            let report = try SyncEngine(coordination, remote: remote ?? coordination.sharing.defaultRemote).run()
            // Through to the remote the background sync uses, and accepted: it may run again.
            if report.refused.isEmpty && report.deletedOnRemote.isEmpty && report.remote == coordination.sharing.defaultRemote {
                BackgroundSync(coordination).resume()
            }
            return report
        }
        if output.json {
            try printJSON(report)
        } else {
            SyncText.printProblems(report)
            if verbose { SyncText.printSummary(report) }
        }
        if report.needsAttention { throw NegativeAnswer() }
    }

    /// Sync forever, each round in a fresh Coordination (settings and refs re-read). An unreachable remote is
    /// said once, when it goes offline, and once more when it is back; other problems are said when they change.
    private func runWatching(every seconds: Double) throws {
        // A parent may have started us with signals blocked (test harnesses do): --watch must stay stoppable.
        var stoppers = sigset_t()
        sigemptyset(&stoppers)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stoppers, signal) }
        sigprocmask(SIG_UNBLOCK, &stoppers, nil)
        var offline = false
        var lastProblems: [String] = []
        while true {
            do {
                let report = try withCoordination { coordination in
                    try SyncEngine(coordination, remote: remote ?? coordination.sharing.defaultRemote, unattended: true).run()
                }
                if offline { printError("git-coord: '\(report.remote)' is reachable again") }
                offline = false
                let problems = SyncText.problemLines(report)
                if problems != lastProblems { problems.forEach(printError) }
                lastProblems = problems
            } catch CoordError.remoteFailed(let name, _, let detail) {
                if !offline { printError("git-coord: cannot reach '\(name)' (\(Display.neutralised(detail))); will keep trying") }
                offline = true
            }
            usleep(UInt32(min(seconds, 3600) * 1_000_000))
        }
    }
}

/// How a sync report reads on a terminal: only what needs attention, one line each, in git's manner.
enum SyncText {
    static func printProblems(_ report: SyncReport) {
        problemLines(report).forEach(printError)
    }

    static func problemLines(_ report: SyncReport) -> [String] {
        let remote = Display.neutralised(report.remote)
        var lines: [String] = []
        for refusal in report.refused {
            lines.append("error: '\(remote)' refused \(refusal.ref): \(Display.neutralised(refusal.reason))")
        }
        for fork in report.forks {
            let counts = "\(fork.localOnly) record(s) only here, \(fork.remoteOnly) only on '\(remote)'"
            switch fork.resolution {
            case "kept-newest": lines.append("warning: \(fork.ref) forked (\(counts)); kept the newest presence")
            case "settled": lines.append("warning: \(fork.ref) forked (\(counts)); settled the claim")
            default:
                lines.append("error: \(fork.ref) forked (\(counts)); left as it is here and not pushed")
                if fork.ownedHere {
                    lines.append("hint: this is this clone's own log: someone rewrote it on '\(remote)' (a forced push), or a copy of"
                                 + " this .git writes with the same clone id. To put this clone's version back on the remote:")
                    lines.append("hint:   git push --force-with-lease=\(fork.ref):\(fork.remoteHead) \(remote) \(fork.ref):\(fork.ref)")
                }
            }
        }
        for settled in report.claimsSettled {
            let holder = label(settled.holder, report)
            let loser = label(settled.loser, report)
            let prefix = settled.lostHere ? "warning: your claim on" : "note: claim on"
            lines.append("\(prefix) '\(Display.neutralised(settled.pattern))' was taken by two clones while apart: \(holder) holds it; \(loser) does not")
        }
        if let first = report.deletedOnRemote.first {
            let more = report.deletedOnRemote.count > 1 ? " and \(report.deletedOnRemote.count - 1) more" : ""
            lines.append("warning: '\(remote)' no longer has \(Display.neutralised(first))\(more), which it had at the last sync; git-coord never deletes refs there")
            lines.append("hint: if '\(remote)' removes refs it does not know (some hosting services do), it cannot carry git-coord's records;")
            lines.append("hint: stop sharing with 'git coord init --uninstall --remote \(remote)', or share through another remote")
        }
        for rejected in report.rejected {
            lines.append("warning: ignored \(rejected.ref) from '\(remote)': \(Display.neutralised(rejected.reason))")
        }
        return lines
    }

    static func label(_ holder: SyncReport.Holder, _ report: SyncReport) -> String {
        let name = Display.neutralised(holder.name)
        guard let clone = holder.clone else { return name }
        return clone == report.clone ? "\(name) (this clone)" : "\(name) (clone \(clone))"
    }

    static func printSummary(_ report: SyncReport) {
        printError("\(report.remote): received \(report.received.count) ref(s), pushed \(report.pushed.count) ref(s)")
    }
}

extension SyncText {
    /// `claim --remote` lost on the server: who holds each pattern there, or why the server refused.
    static func report(_ refused: RemoteClaimRefused) {
        let remote = Display.neutralised(refused.remote)
        for refusal in refused.refused {
            let pattern = Display.neutralised(refusal.pattern)
            if let reason = refusal.reason {
                printError("\(pattern): '\(remote)' refused the claim: \(Display.neutralised(reason))")
            } else if let holder = refusal.holder {
                let clone = refusal.holderClone.map { " (clone \(Display.neutralised($0)))" } ?? ""
                printError("\(pattern): claimed on '\(remote)' by \(Display.neutralised(holder))\(clone) first")
            } else {
                printError("\(pattern): another clone claimed it on '\(remote)' first")
            }
        }
        printError("nothing was claimed")
    }
}
