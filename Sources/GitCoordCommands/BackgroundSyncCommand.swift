import ArgumentParser
import GitCoordCore

/// `git coord hook background-sync PATH`: the detached child a hook starts when a sync is due (see
/// `BackgroundSync`). Not for people: it finds its lock on fd 3, prints nothing and leaves what needs a person in
/// `.git/coord/sync-problem`.
struct BackgroundSyncHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "background-sync",
        abstract: "Sync with the shared remote, detached from the hook that started it (not run by hand).",
        shouldDisplay: false
    )

    @Argument(help: "The repository.")
    var repository: String

    func run() {
        BackgroundSync.runChild(at: repository, describe: BackgroundSyncText.problemLines)
    }
}

/// What the background sync says, and where.
enum BackgroundSyncText {
    /// A sync report's lines that need a person: refusals, forked logs, claims this clone lost, records the remote
    /// holds that git-coord will not take. A settled claim this clone kept, or presence that forked, is routine.
    static func problemLines(_ report: SyncReport) -> [String] {
        var quiet = report
        quiet.claimsSettled = report.claimsSettled.filter(\.lostHere)
        quiet.forks = report.forks.filter { $0.resolution == "reported" }
        let lines = SyncText.problemLines(quiet)
        // One line per refused ref can be hundreds: a few say what happened, 'git coord sync' says the rest.
        guard lines.count > maximumLines else { return lines }
        return lines.prefix(maximumLines) + ["... and \(lines.count - maximumLines) more ('git coord sync' lists them all)"]
    }

    static let maximumLines = 6

    /// After a git hook's work: start a background sync if due; show a waiting problem if a person will see it.
    static func afterHook(_ coordination: Coordination, surface: Bool) {
        coordination.sharing.syncInBackgroundIfDue()
        if surface { printProblem(coordination) }
    }

    static func printProblem(_ coordination: Coordination) {
        for line in coordination.sharing.takeBackgroundSyncProblem() { printError("git-coord: " + Display.neutralised(line)) }
    }
}
