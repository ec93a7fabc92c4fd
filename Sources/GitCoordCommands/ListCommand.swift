import ArgumentParser
import GitCoordCore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show the live sessions of this repository, in every worktree.",
        discussion: """
        Each session with its name, branch, worktree, task, the files it touched recently (explicitly, or with uncommitted changes in its worktree) and when it was last seen. Sessions silent longer than coord.sessionTTL (default 15m) are stale and shown only with --all, as are ended ones.
        """
    )

    @Flag(help: "Include stale and ended sessions.")
    var all = false

    @Option(help: "Show at most this many files per session.")
    var files = List.defaultFiles

    @OptionGroup var output: JSONOption

    static let defaultFiles = 5

    func run() throws {
        try Self.show(all: all, json: output.json, maxFiles: files)
    }

    static func show(all: Bool, json: Bool, maxFiles: Int) throws {
        try withCoordination { coordination in
            BackgroundSyncText.printProblem(coordination)
            let now = nowMillis()
            let sessions = try coordination.sessions.all(now: now).filter { all || $0.isLive }
            if json {
                try printJSON(SessionListView(sessions, now: now, clone: coordination.cloneID))
                return
            }
            for session in sessions {
                print(SessionText.block(for: session, now: now, maxFiles: maxFiles, cloneID: coordination.cloneID))
            }
        }
    }

    /// `git coord list` with no arguments but `--all` and `--json`, run without ArgumentParser: people and
    /// scripts run it often (agents between turns, `watch`), and ArgumentParser's reflective parse costs about
    /// as much as listing fifty sessions. Anything else (`--files`, `--help`, a typo) is ArgumentParser's.
    static func fastPath(for arguments: [String]) -> (() throws -> Void)? {
        guard arguments.count >= 2, arguments[1] == "list" else { return nil }
        var all = false, json = false
        for argument in arguments.dropFirst(2) {
            switch argument {
            case "--all": all = true
            case "--json": json = true
            default: return nil
            }
        }
        return { try show(all: all, json: json, maxFiles: defaultFiles) }
    }
}

/// How a session reads on a terminal; everything another session wrote is neutralised.
enum SessionText {
    static func block(for session: Session, now: Millis, maxFiles: Int, cloneID: String? = nil) -> String {
        let record = session.record
        var header = Display.neutralised(record.name)
        if let agent = record.agent { header += " (\(Display.neutralised(agent)))" }
        if !session.isFromThisClone(cloneID) { header += "  [clone \(Display.neutralised(record.clone ?? "?")) on \(Display.neutralised(record.host))]" }
        header += "  " + branchLabel(record)
        header += "  " + Display.neutralised(record.worktree)
        header += "  " + seenLabel(session, now: now)
        var lines = [header]
        if !record.task.isEmpty { lines.append("    task: " + Display.neutralised(record.task)) }
        let files = session.files
        if !files.isEmpty {
            let shown = files.prefix(maxFiles).map { "\(Display.neutralised($0.file.path)) (\(formatAge(Double(now - $0.file.at) / 1000)))" }
            let more = files.count > maxFiles ? ", +\(files.count - maxFiles) more" : ""
            lines.append("    files: " + shown.joined(separator: ", ") + more)
        }
        return lines.joined(separator: "\n")
    }

    static func branchLabel(_ record: SessionRecord) -> String {
        if let branch = record.branch { return Display.neutralised(branch) }
        if let head = record.head { return "(detached at \(head.prefix(7)))" }
        return "(no branch)"
    }

    static func seenLabel(_ session: Session, now: Millis) -> String {
        switch session.state {
        case .live: return "seen \(formatAge(Double(now - session.record.seen) / 1000)) ago"
        case .stale: return "stale, seen \(formatAge(Double(now - session.record.seen) / 1000)) ago"
        case .ended: return "ended \(formatAge(Double(now - (session.record.ended ?? session.record.seen)) / 1000)) ago"
        }
    }
}
