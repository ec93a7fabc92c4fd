#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import GitCoordSystem

/// `git coord install <agent>`: merges git-coord's hooks (and its MCP server, and slash commands where the agent
/// reads them from the repository) into the agent's settings in one worktree; `--uninstall` takes them out.
///
/// Settings files are the user's: every other key and hook stays as it was, in its place; a file that is not
/// valid JSON is refused, not overwritten; writes go through a temporary file and a rename, so a killed install
/// leaves the old file or the new one.
public struct AgentInstaller {
    public typealias Scope = InstallContext.Scope

    public struct Change: Equatable, Sendable {
        public enum Action: String, Sendable { case created, updated, removed, unchanged, skipped }
        public var path: String
        public var action: Action
        public var note: String?
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "cannot use \(path): \(reason)" }
    }

    public let dialect: any AgentDialect
    public let context: InstallContext

    public init(agent: AgentKind, context: InstallContext) {
        dialect = agent.dialect
        self.context = context
    }

    var agent: AgentKind { dialect.kind }
    var worktree: String { context.worktree }

    /// The settings file the hooks go into, as shown to the user.
    public var settingsPath: String {
        dialect.installation(context).compactMap { step -> String? in
            if case .json(let spot, .hooks) = step { return spot.display(in: context) }
            return nil
        }.first ?? ""
    }

    /// Things left out because the user's files have them already, with why: said as warnings.
    public private(set) var notes: [String] = []

    public mutating func install() throws -> [Change] {
        var changes: [Change] = []
        var created: [String] = []
        for step in dialect.installation(context) {
            let change: Change
            switch step {
            case .json(let spot, .hooks): change = try editJSON(spot) { HookSettings.installed($0, dialect: dialect) }
            case .json(let spot, .mcpServers): change = try editJSON(spot) { HookSettings.withMCPServer($0) }
            case .json(let spot, .listMembers(let values, let keyPath)):
                change = try editJSON(spot) { StringListSettings.adding(values, at: keyPath, in: $0) }
            case .toml(let spot, let tables): change = try editTOML(spot, owner: "git coord install \(agent.rawValue)", tables)
            case .hookTrust(let hooks, let config): change = try trust(hooks: hooks, in: config, withdraw: false)
            case .command(let file): change = try writeCommand(file)
            }
            changes.append(change)
            if change.action == .created, let excluded = Self.spot(of: step)?.excluded { created.append(excluded) }
        }
        if context.scope == .local {
            let exclude = LocalExclude(commonDir: context.commonDir, agent: agent)
            try exclude.set(Array(Set(created + exclude.current())).sorted())
        }
        return merged(changes)
    }

    public mutating func uninstall() throws -> [Change] {
        var changes: [Change] = []
        for step in dialect.installation(context) {
            switch step {
            case .json(let spot, .hooks):
                changes.append(try editJSON(spot, deleteWhenEmpty: true) { HookSettings.removed($0, command: dialect.hookCommand) })
            case .json(let spot, .mcpServers):
                changes.append(try editJSON(spot, deleteWhenEmpty: true) { HookSettings.withoutMCPServer($0) })
            case .json(let spot, .listMembers(let values, let keyPath)):
                changes.append(try editJSON(spot, deleteWhenEmpty: true) { StringListSettings.removing(values, at: keyPath, in: $0) })
            case .toml(let spot, _): changes.append(try editTOML(spot, owner: "git coord install \(agent.rawValue)", []))
            case .hookTrust(let hooks, let config): changes.append(try trust(hooks: hooks, in: config, withdraw: true))
            case .command(let file): changes.append(try removeCommand(file))
            }
        }
        try LocalExclude(commonDir: context.commonDir, agent: agent).set([])
        return merged(changes)
    }

    private static func spot(of step: InstallStep) -> FileSpot? {
        switch step {
        case .json(let spot, _), .toml(let spot, _): return spot
        case .hookTrust(_, let config): return config
        case .command(let file): return .worktree(file.path)
        }
    }

    /// One change per path (Gemini's settings file holds both the hooks and the MCP server).
    private func merged(_ changes: [Change]) -> [Change] {
        var result: [Change] = []
        for change in changes {
            if let index = result.firstIndex(where: { $0.path == change.path }) {
                if result[index].action == .unchanged { result[index] = change }
            } else {
                result.append(change)
            }
        }
        return result
    }

    // MARK: Files

    private func readJSON(_ path: String) throws -> (document: JSONValue, old: [UInt8]?) {
        let old = try FileText.read(path)
        guard let old, !old.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return (.object([]), old) }
        let document: JSONValue
        do {
            document = try JSONParser.parse(old)
        } catch {
            throw Failure(path: path, reason: "it is not valid JSON (\(error)); fix or move it, then run this again")
        }
        guard document.isObject else { throw Failure(path: path, reason: "it is not a JSON object") }
        return (document, old)
    }

    private func editJSON(_ spot: FileSpot, deleteWhenEmpty: Bool = false,
                          _ transform: (JSONValue) -> JSONValue) throws -> Change {
        let path = spot.path(in: context)
        let shown = spot.display(in: context)
        let (document, old) = try readJSON(path)
        let next = transform(document)
        if next == document && old != nil { return Change(path: shown, action: .unchanged) }
        if deleteWhenEmpty, case .object(let members) = next, members.isEmpty {
            guard old != nil else { return Change(path: shown, action: .unchanged) }
            try FileText.removeWithEmptyFolder(path)
            return Change(path: shown, action: .removed)
        }
        if old == nil && deleteWhenEmpty { return Change(path: shown, action: .unchanged) }
        try FileText.write(path, Array(JSONWriter.pretty(next).utf8))
        return Change(path: shown, action: old == nil ? .created : .updated)
    }

    /// git-coord's tables in a TOML file (`TOMLBlock`): set to `tables`, or taken out with none. A file that held
    /// nothing but git-coord's part goes with it.
    private mutating func editTOML(_ spot: FileSpot, owner: String, _ tables: [TOMLTable]) throws -> Change {
        let path = spot.path(in: context)
        let shown = spot.display(in: context)
        let old = try FileText.read(path).map { String(decoding: $0, as: UTF8.self) }
        let result = TOMLBlock(owner: owner).applying(tables, to: old ?? "")
        notes += result.skipped.map { "\(shown): \($0); left as it is" }
        if result.text == (old ?? "") { return Change(path: shown, action: .unchanged) }
        if result.text.isEmpty {
            guard old != nil else { return Change(path: shown, action: .unchanged) }
            try FileText.removeWithEmptyFolder(path)
            return Change(path: shown, action: .removed)
        }
        try FileText.write(path, Array(result.text.utf8))
        return Change(path: shown, action: old == nil ? .created : .updated)
    }

    /// Records (or withdraws) the agent's trust in git-coord's hooks of the hooks file, in its TOML config.
    private mutating func trust(hooks: FileSpot, in config: FileSpot, withdraw: Bool) throws -> Change {
        let hooksPath = hooks.path(in: context)
        let tables = withdraw ? [] : dialect.hookTrust(hooksPath: hooksPath, settings: try readJSON(hooksPath).document)
        return try editTOML(config, owner: "git coord install \(agent.rawValue) (hooks of \(hooksPath))", tables)
    }

    private func writeCommand(_ file: AgentCommands.File) throws -> Change {
        let path = worktree + "/" + file.path
        let wanted = Array(file.text.utf8)
        if let old = try FileText.read(path) {
            if old == wanted { return Change(path: file.path, action: .unchanged) }
            guard String(decoding: old, as: UTF8.self).contains(AgentCommands.marker) else {
                return Change(path: file.path, action: .skipped, note: "a command of that name exists and is not git-coord's")
            }
            try FileText.write(path, wanted)
            return Change(path: file.path, action: .updated)
        }
        try FileText.write(path, wanted)
        return Change(path: file.path, action: .created)
    }

    private func removeCommand(_ file: AgentCommands.File) throws -> Change {
        let path = worktree + "/" + file.path
        guard let old = try FileText.read(path) else { return Change(path: file.path, action: .unchanged) }
        guard String(decoding: old, as: UTF8.self).contains(AgentCommands.marker) else {
            return Change(path: file.path, action: .skipped, note: "it is not git-coord's")
        }
        try FileText.removeWithEmptyFolder(path)
        return Change(path: file.path, action: .removed)
    }
}

/// `--local` installs keep the files they create out of `git status`, with lines in the repository's
/// `info/exclude` between markers (one block per agent); `--uninstall` takes the block out.
struct LocalExclude {
    let commonDir: String
    let agent: AgentKind

    var path: String { commonDir + "/info/exclude" }
    var begin: String { "# >>> git coord install \(agent.rawValue) --local" }
    var end: String { "# <<< git coord install \(agent.rawValue) --local" }

    func current() throws -> [String] {
        let (_, block, _) = try split()
        return block.map { String($0.dropFirst()) }
    }

    func set(_ relativePaths: [String]) throws {
        let (before, block, after) = try split()
        let wanted = relativePaths.map { "/" + $0 }
        if wanted == block { return }
        var lines = before
        if !wanted.isEmpty { lines += [begin] + wanted + [end] }
        lines += after
        let text = lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        try FileText.write(path, Array(text.utf8))
    }

    private func split() throws -> (before: [String], block: [String], after: [String]) {
        guard let bytes = try FileText.read(path) else { return ([], [], []) }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let start = lines.firstIndex(of: begin), let stop = lines[start...].firstIndex(of: end) else { return (lines, [], []) }
        return (Array(lines[..<start]), Array(lines[(start + 1)..<stop]), Array(lines[(stop + 1)...]))
    }
}

/// Whole-file reads and atomic writes of settings files (see `Files`), failures in the installer's terms.
enum FileText {
    /// Removes a file of git-coord's, and its folder when nothing else is left in it (`.codex/`, `commands/`).
    static func removeWithEmptyFolder(_ path: String) throws {
        try remove(path)
        _ = rmdir(String(path[..<path.lastIndex(of: "/")!]))
    }

    static func read(_ path: String) throws -> [UInt8]? {
        do {
            return try Files.read(path, limit: 16 << 20)
        } catch let error as SystemError where error.code == EFBIG {
            throw AgentInstaller.Failure(path: path, reason: "it is over 16 MiB")
        } catch let error as SystemError {
            throw AgentInstaller.Failure(path: path, reason: error.reason)
        }
    }

    /// Written beside the file, flushed and renamed over it, keeping an existing file's mode: a killed install
    /// leaves the old settings or the new ones.
    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let folder = String(path[..<path.lastIndex(of: "/")!])
        do {
            try Files.makeDirectories(folder)
        } catch {
            throw AgentInstaller.Failure(path: folder, reason: "cannot create the folder")
        }
        do {
            try Files.writeAtomically(path, bytes)
        } catch let error as SystemError {
            throw AgentInstaller.Failure(path: path, reason: error.reason)
        }
    }

    static func remove(_ path: String) throws {
        do {
            try Files.remove(path)
        } catch let error as SystemError {
            throw AgentInstaller.Failure(path: path, reason: error.reason)
        }
    }
}
