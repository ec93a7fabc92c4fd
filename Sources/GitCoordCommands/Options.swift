import ArgumentParser
import GitCoordAgents
import GitCoordCore
import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--session`: which session a command acts for.
struct SessionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The session to act for, by id or name (default: $GIT_COORD_SESSION, else this worktree's one live session).",
        valueName: "id|name"), completion: CompletionWords.sessions)
    var session: String?

    var selector: SessionSelector { SessionSelector.from(environment: Environment.all, named: session) }
}

struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON (schema in README.md).")
    var json = false
}

/// Opens the repository of the current directory, runs `body`, and prints any warnings met on stderr.
func withCoordination<T>(requireEnabled: Bool = true, _ body: (Coordination) throws -> T) throws -> T {
    let coordination = try Coordination(requireEnabled: requireEnabled)
    defer {
        for warning in coordination.warnings { printError("warning: " + Display.neutralised(warning)) }
    }
    return try body(coordination)
}

/// `withCoordination` for a command that acts for a session: the one `--session` or the environment names.
func withSession<T>(_ options: SessionOptions, _ body: (Coordination, Session) throws -> T) throws -> T {
    try withCoordination { coordination in
        try body(coordination, try coordination.sessions.resolve(options.selector))
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    // Raw text stays raw for scripts; invisible code points are \u escapes, so a terminal shows them.
    print(Display.escapingInvisibles(inJSON: String(decoding: try encoder.encode(value), as: UTF8.self)))
}

/// The value of a duration option (`--since 2h`), or a usage error (exit 64) naming the option, what was wrong and
/// the forms it takes. A bad duration is a mistake in the command line, never a negative answer.
func durationOption(_ text: String, _ option: String, positive: Bool = false) throws -> Double {
    let shown = "\(option) '\(Display.abbreviated(text))'"
    let seconds: Double
    do {
        seconds = try DurationParser.seconds(text)
    } catch CoordError.durationTooLong {
        throw ValidationError("\(shown) is longer than the longest duration git-coord takes; write \(DurationParser.forms).")
    } catch {
        throw ValidationError("\(shown) is not a duration: write \(DurationParser.forms).")
    }
    if positive && seconds <= 0 { throw ValidationError("\(option) must be longer than zero.") }
    return seconds
}
