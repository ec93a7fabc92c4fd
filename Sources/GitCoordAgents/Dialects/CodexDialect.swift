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

    public var hookGroups: [HookGroup] {
        [HookGroup("SessionStart"), HookGroup("UserPromptSubmit"),
         HookGroup("PreToolUse", matcher: Self.editTools.joined(separator: "|")),
         HookGroup("PostToolUse"), HookGroup("SessionEnd")]
    }

    public func hookEntry(command: String) -> JSONValue {
        .object(["type": .string("command"), "command": .string(command), "timeout": .number("10")])
    }

    public func installation(_ context: InstallContext) -> [InstallStep] {
        [.json(".codex/hooks.json", .hooks)]
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
