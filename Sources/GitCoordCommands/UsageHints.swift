import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// "Did you mean 'list'?" for a mistyped subcommand or option. ArgumentParser suggests options of the command it
/// parsed (not `--version` and `--help`), and nothing for subcommands; this walks the command line along the command
/// tree (ArgumentParser's own description of it, `--experimental-dump-help`) to the first word no command knows.
/// Only a failed parse pays for it.
enum UsageHints {
    /// The parse error's message, with a suggestion added to its first line when one is close enough.
    static func message(for error: Error, arguments: [String]) -> String {
        let message = GitCoord.fullMessage(for: error)
        guard !message.contains("Did you mean"), let tree = CommandTree.root,
              let (word, candidates) = unknownWord(in: arguments, tree: tree) else { return message }
        let close = closest(to: word, among: candidates)
        guard !close.isEmpty else { return message }
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let quoted = close.map { "'\($0)'" }
        let options = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
        // "Unexpected argument 'lst'" names only that word; "2 unexpected arguments: 'clam', 'x'" needs saying which.
        let namesOnlyIt = lines[0].contains("'\(word)'") && lines[0].filter { $0 == "'" }.count == 2
        lines[0] += namesOnlyIt ? ". Did you mean \(options)?" : ". For '\(word)', did you mean \(options)?"
        return lines.joined(separator: "\n")
    }

    /// The first word that is neither a subcommand where one is expected nor an option of the command reached, with
    /// what was expected there.
    static func unknownWord(in arguments: [String], tree: CommandTree) -> (String, [String])? {
        var node = tree
        var skipValue = false
        for argument in arguments {
            if skipValue { skipValue = false; continue }
            if argument == "--" { return nil }
            if argument.hasPrefix("-") && argument.count > 1 {
                let name = String(argument.prefix { $0 != "=" })
                guard let option = node.options[name] else { return (name, node.options.keys.filter { $0.hasPrefix("--") }) }
                skipValue = option.takesValue && !argument.contains("=")
            } else if !node.subcommands.isEmpty {
                guard let next = node.subcommands[argument] else {
                    return (argument, node.subcommands.filter(\.value.shown).map(\.key))
                }
                node = next
            }
        }
        return nil
    }

    /// The candidates nearest to `word` by edit distance (a transposition counts one), when near enough to be a typo:
    /// one edit for short words, two for longer ones; else the one candidate `word` begins.
    static func closest(to word: String, among candidates: [String]) -> [String] {
        let word = word.lowercased()
        let limit = word.count <= 4 ? 1 : 2
        let scored = candidates.map { ($0, distance(word, $0.lowercased())) }.filter { $0.1 <= limit }
        if let best = scored.map(\.1).min() {
            return scored.filter { $0.1 == best }.map(\.0).sorted()
        }
        let prefixed = candidates.filter { $0.hasPrefix(word) && word.count >= 2 && word != "--" }
        return prefixed.count == 1 ? prefixed : []
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}

/// The command tree as ArgumentParser describes it (`--experimental-dump-help`): subcommand names, and each
/// command's options by every spelling (`-v`, `--verbose`).
final class CommandTree {
    struct Option { var takesValue: Bool }

    let shown: Bool
    let subcommands: [String: CommandTree]
    let options: [String: Option]

    init(_ info: DumpedCommand) {
        shown = info.shouldDisplay ?? true
        subcommands = Dictionary((info.subcommands ?? []).map { ($0.commandName, CommandTree($0)) }, uniquingKeysWith: { a, _ in a })
        var options: [String: Option] = [:]
        for argument in info.arguments ?? [] where argument.kind != "positional" {
            for name in argument.names ?? [] {
                let spelled = (name.kind == "long" ? "--" : "-") + name.name
                options[spelled] = Option(takesValue: argument.kind == "option")
            }
        }
        self.options = options
    }

    static var root: CommandTree? {
        guard let dump = try? JSONDecoder().decode(DumpedTool.self, from: Data(GitCoord._dumpHelp().utf8)) else { return nil }
        return CommandTree(dump.command)
    }
}

/// The parts of ArgumentParser's tool description (serialization version 0) these hints read.
struct DumpedTool: Decodable {
    var command: DumpedCommand
}

struct DumpedCommand: Decodable {
    struct Argument: Decodable {
        struct Name: Decodable { var kind: String; var name: String }
        var kind: String
        var names: [Name]?
    }
    var commandName: String
    var shouldDisplay: Bool?
    var subcommands: [DumpedCommand]?
    var arguments: [Argument]?
}
