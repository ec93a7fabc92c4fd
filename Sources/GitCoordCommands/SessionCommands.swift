import ArgumentParser
import GitCoordCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Register a session for this worktree and print its id.",
        discussion: """
        The id alone goes to stdout, so that later commands can find the session:
          export GIT_COORD_SESSION=$(git coord start --name A --task "Sidebar")
        Without --name a readable name is generated ("amber-otter"). A name a live session uses is refused.
        """
    )

    @Option(help: "A name for the session (letters, digits, '.', '_', '-'; unique among live sessions).")
    var name: String?

    @Option(help: "What the session is doing, in one line.")
    var task: String = ""

    @Option(help: ArgumentHelp("The kind of agent (claude, codex, gemini, human, ...).", valueName: "kind"),
            completion: .list(["claude", "codex", "gemini", "human"]))
    var agent: String?

    func run() throws {
        try withCoordination { coordination in
            let session = try coordination.sessions.start(.init(name: name, task: task, agent: agent))
            print(session.id)
            GitHookRunner.installHooksHere(coordination)
        }
    }
}

struct SetTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Set the session's one-line task, which every other session sees."
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Argument(help: "The task, e.g. \"Move the settings page to the new router\".")
    var text: [String]

    func validate() throws {
        if text.isEmpty { throw ValidationError("Give the task text.") }
    }

    func run() throws {
        try withSession(sessionOptions) { coordination, session in
            try coordination.sessions.setTask(text.joined(separator: " "), for: session)
        }
    }
}

struct Touch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "touch",
        abstract: "Record files as touched by the session now.",
        discussion: """
        Paths are relative to the current directory, or absolute inside this worktree. Files with uncommitted changes in the session's worktree are counted as touched without this command; use it for files you are about to change, or have only read closely.
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Argument(help: "The files.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one path.") }
    }

    func run() throws {
        try withSession(sessionOptions) { coordination, session in
            let directory = FileManager.default.currentDirectoryPath
            let relative = try paths.map { try coordination.repository.relativePath($0, from: directory) }
            try coordination.sessions.touch(relative, for: session)
        }
    }
}

struct Heartbeat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heartbeat",
        abstract: "Tell the others the session is alive, and refresh its branch and changed files.",
        discussion: """
        Writes only when something changed or coord.heartbeatInterval (default 60s) has passed, so running it often costs nothing. Sessions silent for coord.sessionTTL (default 15m) show as stale.
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    func run() throws {
        try withSession(sessionOptions) { coordination, session in
            _ = try coordination.sessions.heartbeat(session)
        }
    }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "End the session: it leaves every default view and its name becomes free."
    )

    @OptionGroup var sessionOptions: SessionOptions

    func run() throws {
        try withSession(sessionOptions) { coordination, session in
            try coordination.sessions.stop(session)
        }
    }
}
