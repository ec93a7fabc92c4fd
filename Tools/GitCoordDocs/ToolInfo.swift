import Foundation

/// ArgumentParser's description of a command tree (`--experimental-dump-help`, serialization version 0): the only
/// source of the manual's synopses and options and of the completion scripts, so neither can drift from `--help`.
struct ToolInfo: Decodable {
    var serializationVersion: Int
    var command: CommandInfo

    /// Runs `binary --experimental-dump-help` and decodes what it prints.
    static func read(from binary: String) throws -> ToolInfo {
        let data = try run(binary, ["--experimental-dump-help"])
        let info = try JSONDecoder().decode(ToolInfo.self, from: data)
        guard info.serializationVersion == 0 else {
            throw DocsError("\(binary) describes its commands in format \(info.serializationVersion); this tool reads format 0")
        }
        return info
    }
}

struct CommandInfo: Decodable {
    var commandName: String
    var superCommands: [String]?
    var abstract: String?
    var discussion: String?
    var shouldDisplay: Bool?
    var subcommands: [CommandInfo]?
    var arguments: [ArgumentInfo]?

    var isShown: Bool { shouldDisplay ?? true }
    /// Visible subcommands, without ArgumentParser's own `help`.
    var shownSubcommands: [CommandInfo] { (subcommands ?? []).filter { $0.isShown && $0.commandName != "help" } }
    /// The arguments a person gives, without the `--help` and `--version` every command has.
    var ownArguments: [ArgumentInfo] {
        (arguments ?? []).filter { $0.isShown && !["help", "version"].contains($0.preferredName?.name ?? "") }
    }
    /// `git coord claim` for the `claim` command of `git coord`.
    var fullName: String { ((superCommands ?? []) + [commandName]).joined(separator: " ") }
    /// The manual page's name: `git-coord-claim` (git's convention for its own subcommands' pages).
    var pageName: String { fullName.replacingOccurrences(of: " ", with: "-") }
}

struct ArgumentInfo: Decodable {
    struct Name: Decodable {
        var kind: String
        var name: String
        /// `--json`, `-v`.
        var spelled: String { (kind == "long" ? "--" : kind == "longWithSingleDash" ? "-" : "-") + name }
    }

    enum Completion: Decodable {
        case list([String])
        case file
        case directory
        case command(String)
        case none

        init(from decoder: Decoder) throws {
            struct Values: Decodable { var values: [String]? ; var command: String? }
            let container = try decoder.container(keyedBy: AnyKey.self)
            guard let key = container.allKeys.first else { self = .none; return }
            let values = try? container.decode(Values.self, forKey: key)
            switch key.stringValue {
            case "list": self = .list(values?.values ?? [])
            case "file": self = .file
            case "directory": self = .directory
            case "shellCommand": self = .command(values?.command ?? "")
            default: self = .none
            }
        }
    }

    var kind: String
    var names: [Name]?
    var preferredName: Name?
    var valueName: String?
    var abstract: String?
    var discussion: String?
    var defaultValue: String?
    var allValues: [String]?
    var isOptional: Bool?
    var isRepeating: Bool?
    var shouldDisplay: Bool?
    var completionKind: Completion?

    var isShown: Bool { shouldDisplay ?? true }
    var isPositional: Bool { kind == "positional" }
    var takesValue: Bool { kind == "option" }
    /// Every spelling, long ones first: `--verbose`, `-v`.
    var spellings: [String] {
        (names ?? []).sorted { ($0.kind == "long" ? 0 : 1) < ($1.kind == "long" ? 0 : 1) }.map(\.spelled)
    }
    var value: String { valueName ?? "value" }
    /// How a shell should complete this argument's value (for an option) or the argument itself (a positional).
    var completion: Completion {
        if let completionKind { return completionKind }
        if let allValues, !allValues.isEmpty { return .list(allValues) }
        return isPositional ? .file : .none
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

struct DocsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program and returns its stdout; throws with its stderr when it fails.
func run(_ executable: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let problem = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw DocsError("\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: problem, as: UTF8.self))")
    }
    return data
}
