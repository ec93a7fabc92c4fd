import ArgumentParser
import GitCoordCore
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Post a note that every other session sees in its inbox.",
        discussion: """
        Notes are the repository's shared feed: append-only, from this session, to all others, who see \
        each note once in 'git coord inbox' (and at any time in 'git coord feed'). Give the text as \
        arguments, or '-' to read it from stdin:
          git coord note "Renamed getLabel to t() in src/i18n.js"
          git diff --stat | git coord note -
        At most 16 KiB of UTF-8 text; empty, binary or invalid UTF-8 input is refused.
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Argument(help: "The note, or '-' to read it from stdin.")
    var text: [String] = []

    func validate() throws {
        if text.isEmpty { throw ValidationError("Give the note text, or '-' to read it from stdin.") }
    }

    func run() throws {
        let body = try messageBody(text, what: "the note")
        try withSession(sessionOptions) { coordination, session in
            try coordination.messages.note(body, from: session)
        }
    }
}

struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a direct message to one session; only it sees it, in its inbox.",
        discussion: """
        The recipient is named by session id or name (see 'git coord list'). A recipient that does not \
        exist or has ended is refused, with the live sessions listed; a stale one gets the message with a \
        warning, and reads it when it comes back.
          git coord send bob "Please keep my nav item in AdminDashboard.jsx"
          git coord send bob - < handover.txt
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Argument(help: ArgumentHelp("The recipient session.", valueName: "id|name"), completion: CompletionWords.sessions)
    var recipient: String

    @Argument(help: "The message, or '-' to read it from stdin.")
    var text: [String] = []

    func validate() throws {
        if text.isEmpty { throw ValidationError("Give the message text, or '-' to read it from stdin.") }
    }

    func run() throws {
        let body = try messageBody(text, what: "the message")
        try withSession(sessionOptions) { coordination, session in
            try coordination.messages.send(body, to: recipient, from: session)
        }
    }
}

/// Swift repairs invalid UTF-8 in arguments without a word; the raw bytes tell whether there was any.
func refuseInvalidArguments() throws {
    for index in 1..<Int(CommandLine.argc) {
        if let argument = CommandLine.unsafeArgv[index], !MessageText.isValidUTF8(argument) {
            throw CoordError.invalidText(what: "an argument is not text", reason: "it is not valid UTF-8")
        }
    }
}

/// The text of a note or message: the arguments joined by spaces, or stdin for "-".
func messageBody(_ arguments: [String], what: String) throws -> String {
    try refuseInvalidArguments()
    guard arguments == ["-"] else { return try MessageText.validated(arguments.joined(separator: " "), what: what) }
    var bytes: [UInt8]
    do {
        bytes = try StandardInput.read(keeping: MessageText.maximumBytes + 2)
    } catch let error as SystemError {
        throw CoordError.invalidText(what: "cannot read stdin", reason: error.reason)
    }
    // A heredoc or `echo` ends its text with a newline that nobody typed: the receiver would get an empty line.
    if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
    if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
    return try MessageText.validated(bytes: Data(bytes), what: what)
}
