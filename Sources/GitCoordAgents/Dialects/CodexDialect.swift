/// Codex CLI's hook protocol (developers.openai.com/codex/hooks): Claude Code's event names and answer format,
/// with three differences that matter here.
///
/// - Files are edited by one tool, `apply_patch`, whose patch text is in `tool_input.command` (older builds:
///   `tool_input.patch`); the paths are read from its `*** Add/Update/Delete File:` and `*** Move to:` lines.
/// - PreToolUse accepts only `permissionDecision: "deny"` (with a reason); "ask" and "allow" are rejected as
///   unsupported and the tool runs anyway. So `ask` is answered as a warning: `additionalContext` for the model
///   and `systemMessage` for the user, and Codex's own approval prompt (when its policy asks) is where the person
///   decides. `coord.editConflict=deny` blocks.
/// - There is no SessionEnd: sessions end by TTL.
enum CodexDialect {
    static let editTools: Set<String> = ["apply_patch", "Edit", "Write"]
    static let contextLimit = 10_000

    static func event(from json: JSONValue) throws -> AgentEvent {
        try ClaudeDialect.event(from: json, editTools: editTools, editedPaths: editedPaths)
    }

    static func editedPaths(_ input: JSONValue?) -> [String] {
        guard let input else { return [] }
        if let path = input["file_path"]?.stringValue, !path.isEmpty { return [path] }
        guard let patch = input["command"]?.stringValue ?? input["patch"]?.stringValue ?? input["input"]?.stringValue else {
            return []
        }
        return ApplyPatch.paths(in: patch)
    }

    static func render(_ reply: HookReply, for event: AgentEvent) -> String {
        ClaudeDialect.render(reply, for: event, canAsk: false)
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
