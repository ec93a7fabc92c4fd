import ArgumentParser
import GitCoordCore

struct Inbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Show what this session has not seen yet, oldest first, then mark it seen.",
        discussion: """
        Notes from other sessions and direct messages to this one, each with its author (name, branch), \
        its age and its text; this session's own notes never appear. Items are marked seen as they are \
        shown: a second 'git coord inbox' shows only what arrived since, and two reads at the same time \
        never show one item twice. Notes written before the session started are not news: see them with \
        'git coord feed'. Prints nothing when there is nothing unread.
          git coord inbox          # read and mark seen
          git coord inbox --peek   # look without marking anything seen
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Flag(help: "Show unread items without marking them seen.")
    var peek = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try withSession(sessionOptions) { coordination, session in
            let items = try coordination.messages.inbox(for: session, consume: !peek)
            let now = nowMillis()
            if output.json {
                try printJSON(InboxView(session: session.id, peek: peek, items: items, now: now))
                return
            }
            for item in items { print(LogItemText.line(for: item, now: now)) }
        }
    }
}

struct Feed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Show the notes feed: every session's notes, oldest first.",
        discussion: """
        The history of the notes, for catching up; direct messages are not part of it. Without options the \
        newest 50 are shown; --limit 0 shows them all.
          git coord feed --since 2h      # the notes of the last two hours
          git coord feed --limit 10 --json
        """
    )

    @Option(help: ArgumentHelp("Only notes written within this long (90s, 15m, 2h, 1d).", valueName: "duration"))
    var since: String?

    @Option(help: "Show at most the newest N notes (0: no limit; default 50, or no limit with --since).")
    var limit: Int?

    @OptionGroup var output: JSONOption

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more.") }
        if let since { _ = try durationOption(since, "--since") }
    }

    func run() throws {
        let seconds = try since.map { try durationOption($0, "--since") }
        let count = limit.map { $0 == 0 ? nil : $0 } ?? (seconds == nil ? 50 : nil)
        try withCoordination { coordination in
            let now = nowMillis()
            let notes = try coordination.messages.feed(since: seconds, limit: count, now: now)
            if output.json {
                try printJSON(FeedView(notes, now: now))
                return
            }
            for note in notes { print(LogItemText.line(for: note, now: now)) }
        }
    }
}

/// How a note or message reads on a terminal: "alice (main) 2m ago: text", further lines indented.
/// Everything another session wrote is neutralised, line by line.
enum LogItemText {
    static func line(for item: LogRecord, now: Millis) -> String {
        var header = Display.neutralised(item.fromName)
        header += " (" + (item.branch.map(Display.neutralised) ?? "no branch") + ")"
        header += " " + formatAge(Double(now - item.at) / 1000) + " ago"
        if item.kind == .message { header += ", to you" }
        // "\r\n" is one Character in Swift: both it and "\n" end a line.
        let lines = item.text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { Display.neutralised(String($0)) }
        return header + ": " + lines.joined(separator: "\n    ")
    }
}
