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
        valueName: "id|name"))
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
        try body(coordination, try coordination.resolveSession(options.selector))
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
