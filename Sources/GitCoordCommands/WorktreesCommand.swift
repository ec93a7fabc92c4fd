import ArgumentParser
import GitCoordCore

struct Worktrees: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worktrees",
        abstract: "git worktree list, with the sessions at work in each worktree.",
        discussion: """
        One line per worktree as 'git worktree list' prints it (path, head, [branch]), then one indented line per live session there with its task. --all adds stale and ended sessions.
        """
    )

    @Flag(help: "Include stale and ended sessions.")
    var all = false

    @OptionGroup var output: JSONOption

    struct WorktreeView: Encodable {
        let path: String
        let head: String?
        let branch: String?
        let bare: Bool
        let locked: Bool
        let prunable: Bool
        let sessions: [SessionView]
    }

    struct WorktreeListView: Encodable {
        let schema = "git-coord.worktrees/1"
        let worktrees: [WorktreeView]
    }

    func run() throws {
        try withCoordination { coordination in
            let now = nowMillis()
            let sessions = try coordination.sessions.all(now: now).filter { all || $0.isLive }
            let worktrees = try coordination.repository.worktrees()
            let bySessionPath = Dictionary(grouping: sessions, by: \.record.worktree)
            if output.json {
                try printJSON(WorktreeListView(worktrees: worktrees.map { worktree in
                    WorktreeView(path: worktree.path, head: worktree.head?.hex, branch: worktree.branch, bare: worktree.isBare,
                                 locked: worktree.isLocked, prunable: worktree.isPrunable,
                                 sessions: (bySessionPath[worktree.path] ?? []).map { SessionView($0, now: now) })
                }))
                return
            }
            let width = worktrees.map(\.path.count).max() ?? 0
            for worktree in worktrees {
                var line = worktree.path + String(repeating: " ", count: width - worktree.path.count)
                if worktree.isBare {
                    line += "  (bare)"
                } else {
                    line += "  " + (worktree.head.map { String($0.hex.prefix(7)) } ?? "0000000")
                    line += worktree.branch.map { " [\($0)]" } ?? " (detached HEAD)"
                }
                if worktree.isLocked { line += " locked" }
                if worktree.isPrunable { line += " prunable" }
                print(line)
                for session in bySessionPath[worktree.path] ?? [] {
                    var entry = "    " + Display.neutralised(session.name)
                    if !session.record.task.isEmpty { entry += ": " + Display.neutralised(session.record.task) }
                    entry += " (" + SessionText.seenLabel(session, now: now) + ")"
                    print(entry)
                }
            }
        }
    }
}
