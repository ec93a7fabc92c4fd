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
    var files = 5

    @OptionGroup var output: JSONOption

    func run() throws {
        try withCoordination { coordination in
            let now = nowMillis()
            let sessions = try coordination.sessions(now: now).filter { all || $0.isLive }
            if output.json {
                try printJSON(SessionListView(sessions, now: now, clone: coordination.cloneID))
                return
            }
            for session in sessions {
                print(SessionText.block(for: session, now: now, maxFiles: files, cloneID: coordination.cloneID))
            }
        }
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
