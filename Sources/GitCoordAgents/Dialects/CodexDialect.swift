import GitCoordSystem

/// Codex CLI (developers.openai.com/codex/hooks; observed in the real CLI: docs/design.md, "Coding agents"):
/// Claude Code's event names and answer format, with these differences.
///
/// - Files are edited by one tool, `apply_patch`, whose patch text is in `tool_input.command` (older builds:
///   `patch`, `input`); the paths come from its `*** Add/Update/Delete File:` and `*** Move to:` lines.
/// - PreToolUse honours only `deny`: "ask" lets the edit run. So nobody can be asked, and the edit guard refuses by
///   default, the reason reaching the model.
/// - There is no env file: the model's shell has `CODEX_THREAD_ID`, the hooks' `session_id`.
public struct CodexDialect: AgentDialect {
    public init() {}
    public var kind: AgentKind { .codex }
    public var displayName: String { "Codex CLI" }
    public var contextLimit: Int { 10_000 }
    public var canAsk: Bool { false }
    public var hasSessionEnd: Bool { true }
    public var envFileVariables: [String] { [] }
    public var projectDirectoryVariable: String? { nil }
    public var shellSessionVariable: String? { "CODEX_THREAD_ID" }

    /// Codex edits files through one tool.
    static let editTools = ["apply_patch"]

    public func event(from input: [UInt8]) throws -> AgentEvent {
        try ClaudeEvents.event(from: input, editTools: Self.editTools) { input in
            if let path = input.filePath, !path.isEmpty { return [path] }
            return (input.command ?? input.patch ?? input.input).map(ApplyPatch.paths(in:)) ?? []
        }
    }

    public func render(_ reply: HookReply, for event: AgentEvent) -> String {
        ClaudeEvents.render(reply, for: event, contextLimit: contextLimit, canAsk: canAsk)
    }

    public var hookGroups: [HookGroup] { ClaudeEvents.hookGroups(editTools: Self.editTools) }

    /// Codex gives a SessionEnd hook at most 3 s (and trusts the hook by that effective timeout): it says so. Stop
    /// runs in the background (`async`) for as long as the session idles.
    public func hookEntry(command: String, group: HookGroup) -> JSONValue {
        if group.event == "Stop" {
            return .object(["type": .string("command"), "command": .string(command),
                            "timeout": .number(String(stopHookTimeout)), "async": .bool(true)])
        }
        return .object(["type": .string("command"), "command": .string(command),
                        "timeout": .number(group.event == "SessionEnd" ? "3" : "10")])
    }

    // MARK: Waking

    public var wake: WakeMeans? { .nudge }
    /// A day: the longest a session idles and can still be woken.
    public var stopHookTimeout: Int { 86_400 }

    /// Only a session hosted by Codex's app-server (the daemon a TUI connects to) takes a `codex queue` turn while
    /// idle: the hook's first ancestor past the shell and git is then `codex app-server`. `codex exec` has nothing
    /// left to wake, and a TUI running its own embedded server stores a queued message without starting a turn.
    public func wakeHost(environment: [String: String], ancestors: [ProcessEntry]) -> WakeHost? {
        guard let host = ancestors.first(where: { !$0.isHookWrapper }), host.arguments.contains("app-server") else { return nil }
        return WakeHost(pid: host.pid, input: nil, executable: host.executable)
    }

    /// `codex queue` of the same Codex that hosts the session.
    public func nudgeCommand(host: WakeHost, agentSessionID: String, text: String) -> [String]? {
        host.executable.map { [$0, "queue", "--thread", agentSessionID, "--message", text] }
    }

    /// - `.codex/hooks.json`: Codex reads a linked worktree's hooks from the main checkout.
    /// - the worktree's own `.codex/config.toml` (Codex reads it from there): the MCP server, with its write tools
    ///   approved (else they fail under `approval_policy = "never"`), and the repository's git folder as a writable
    ///   root of the `workspace-write` sandbox, which keeps `.git` read-only: without it every `git coord` write the
    ///   model runs fails with EROFS.
    /// - the user's `$CODEX_HOME/config.toml`: trust in exactly these hooks, by hash. Codex runs a project's hooks
    ///   only once each is trusted, and `codex exec` skips untrusted ones without a word; running install is the
    ///   user's consent. `--uninstall` withdraws it.
    public func installation(_ context: InstallContext) -> [InstallStep] {
        let hooks = FileSpot.mainCheckout(".codex/hooks.json")
        let codexHome = context.environment["CODEX_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? context.home + "/.codex"
        return [
            .json(hooks, .hooks),
            .toml(.worktree(".codex/config.toml"), [
                TOMLTable("mcp_servers." + HookSettings.mcpServerName,
                          ["command = \"git\"", "args = [\"coord\", \"mcp\"]", "default_tools_approval_mode = \"approve\""]),
                TOMLTable("sandbox_workspace_write", ["writable_roots = [\(TOMLBlock.string(context.commonDir))]"],
                          mergesIntoExisting: true),
            ]),
            .hookTrust(hooks: hooks, config: .absolute(codexHome + "/config.toml")),
        ]
    }

    /// `[hooks.state."<hooks file>:<event>:<group>:<index>"] trusted_hash = "sha256:..."` for each of git-coord's
    /// hooks. The hash is Codex 0.163's: SHA-256 of the hook's normalised definition, compact JSON with sorted keys
    /// (`{"event_name":"pre_tool_use","hooks":[{"async":false,"command":...,"timeout":10,"type":"command"}],
    /// "matcher":"apply_patch"}`, no matcher when the group has none).
    public func hookTrust(hooksPath: String, settings: JSONValue) -> [TOMLTable] {
        guard case .object(let events)? = settings["hooks"] else { return [] }
        var tables: [TOMLTable] = []
        for event in events {
            let name = Self.snakeCase(event.key)
            for (groupIndex, group) in (event.value.arrayValue ?? []).enumerated() {
                for (index, handler) in (group["hooks"]?.arrayValue ?? []).enumerated()
                where handler["command"]?.stringValue == hookCommand {
                    var definition: [JSONValue.Member] = [.init("event_name", .string(name))]
                    var normalised: [JSONValue.Member] = [.init("async", handler["async"] ?? .bool(false))]
                    if case .object(let members) = handler { normalised += members.filter { $0.key != "async" } }
                    definition.append(.init("hooks", .array([.object(normalised)])))
                    if let matcher = group["matcher"], matcher != .null { definition.append(.init("matcher", matcher)) }
                    let hash = "sha256:" + SHA256.hex(JSONWriter.canonical(.object(definition)))
                    let key = "\(hooksPath):\(name):\(groupIndex):\(index)"
                    tables.append(TOMLTable("hooks.state." + TOMLBlock.string(key), ["trusted_hash = " + TOMLBlock.string(hash)]))
                }
            }
        }
        return tables
    }

    /// Codex reads a project's `.codex/` (hooks, config) only in a project the user trusts: the TUI asks once.
    /// Trusting a whole project is the user's decision, not install's; it is said when it has not been made.
    public func remainingSteps(after context: InstallContext) -> [String] {
        let config = (context.environment["CODEX_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? context.home + "/.codex") + "/config.toml"
        let text = (try? FileText.read(config)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let untrusted = Set([context.worktree, context.mainCheckout]).sorted().filter { path in
            let header = TOMLBlock.normalized("projects." + TOMLBlock.string(path))
            let lines = TOMLBlock.lines(of: text)
            guard let start = lines.firstIndex(where: { TOMLBlock.header(of: $0) == header }) else { return true }
            let end = lines[(start + 1)...].firstIndex { TOMLBlock.header(of: $0) != nil } ?? lines.endIndex
            return !lines[(start + 1)..<end].contains { TOMLBlock.key(of: $0) == "trust_level" && $0.contains("\"trusted\"") }
        }
        return untrusted.map { path in
            "Codex reads \(path)/.codex only in a project you trust: start 'codex' there once and trust it (or add "
                + "[projects.\(TOMLBlock.string(path))] trust_level = \"trusted\" to \(config))"
        }
    }

    public func sandboxHint(environment: [String: String]) -> String? {
        guard environment[shellSessionVariable ?? ""]?.isEmpty == false else { return nil }
        return "Codex's sandbox keeps the repository's git folder read-only; run 'git coord install codex' in this worktree "
            + "(it adds the git folder to [sandbox_workspace_write] writable_roots in .codex/config.toml), then start a new "
            + "Codex session; or use git-coord's MCP tools, which run outside the sandbox"
    }

    /// `PreToolUse` -> `pre_tool_use`, as Codex names events in trust keys.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase, !out.isEmpty { out += "_" }
            out += character.lowercased()
        }
        return out
    }
}

/// The files an `apply_patch` patch touches, in order, each once.
enum ApplyPatch {
    static let markers = ["*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: "]

    static func paths(in patch: String) -> [String] {
        var seen = Set<String>()
        var paths: [String] = []
        for line in patch.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard line.hasPrefix("*** ") else { continue }
            for marker in markers where line.hasPrefix(marker) {
                let path = String(line.dropFirst(marker.count)).trimmingTrailingWhitespace
                if !path.isEmpty, seen.insert(path).inserted { paths.append(path) }
            }
        }
        return paths
    }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
