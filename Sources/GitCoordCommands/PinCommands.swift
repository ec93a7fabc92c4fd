import ArgumentParser
import GitCoordCore
import GitCoordSystem

struct Pin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Pin a finding every session should know; each new session is shown the pins when it starts.",
        discussion: """
        Notes are the stream; pins are what a newcomer must know, shown to every session that starts after it \
        (and listed by 'git coord pins'), until someone unpins it. At most 1,000 bytes; '-' reads stdin.
          git coord pin "Auth lives in src/auth/; the session store is src/lib/session.ts"
        Prints the pin's id.
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Argument(help: "The finding, or '-' to read it from stdin.")
    var text: [String] = []

    func validate() throws {
        if text.isEmpty { throw ValidationError("Give the finding, or '-' to read it from stdin.") }
    }

    func run() throws {
        let body = try messageBody(text, what: "the pin")
        let pin = try withSession(sessionOptions) { coordination, session in try coordination.pins.add(body, by: session) }
        print(pin.id)
    }
}

struct Pins: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pins",
        abstract: "List the pinned findings, oldest first.",
        discussion: """
        One line each: id, who pinned it and how long ago, the text. --all includes unpinned ones.
          git coord pins
          git coord pins --json
        """
    )

    @OptionGroup var output: JSONOption

    @Flag(help: "Include pins that were unpinned.")
    var all = false

    func run() throws {
        try withCoordination { coordination in
            let pins = try coordination.pins.all(includingRemoved: all)
            let now = nowMillis()
            if output.json { return try printJSON(PinListView(pins, now: now)) }
            for pin in pins {
                let removed = pin.removed.map { _ in " (unpinned by \(Display.neutralised(pin.removedBy ?? "?")))" } ?? ""
                print("\(pin.id) \(Display.neutralised(pin.byName)) \(formatAge(Double(now - pin.at) / 1000)) ago\(removed): "
                      + Display.neutralised(pin.text).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    "))
            }
        }
    }
}

struct Unpin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Unpin findings that no longer hold (any session may).",
        discussion: """
        Give ids from 'git coord pins' (at least 4 characters of one). The pin stays in the history \
        ('git coord pins --all'), marked with who unpinned it.
          git coord unpin 4f2a
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Argument(help: ArgumentHelp("Pin ids (or unique prefixes of at least 4 characters).", valueName: "id"))
    var ids: [String] = []

    func validate() throws {
        if ids.isEmpty { throw ValidationError("Give the id of a pin ('git coord pins' lists them).") }
    }

    func run() throws {
        try withCoordination { coordination in
            // Anyone may unpin: the session's name when there is one, else the user's.
            let name = (try? coordination.sessions.resolve(sessionOptions.selector))?.name ?? Environment.userName
            for id in ids { try coordination.pins.remove(id, by: name) }
        }
    }
}
