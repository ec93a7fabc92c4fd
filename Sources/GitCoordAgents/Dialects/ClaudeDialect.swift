/// Claude Code's hook protocol (code.claude.com/docs/en/hooks; ../shared/reference/agent-hooks.md).
///
/// Plain stdout reaches the model only on SessionStart and UserPromptSubmit, so every answer is JSON:
/// `hookSpecificOutput.additionalContext` (a system reminder, at most 10,000 characters) and, before a tool,
/// `permissionDecision` with its reason.
enum ClaudeDialect {
    static let editTools: Set<String> = ["Edit", "Write", "MultiEdit", "NotebookEdit"]
    static let contextLimit = 10_000

    static func event(from json: JSONValue) throws -> AgentEvent {
        try event(from: json, editTools: editTools, editedPaths: editedPaths)
    }

    /// Claude Code's event names and fields, which Codex CLI shares; the agents differ in their edit tools.
    static func event(from json: JSONValue, editTools: Set<String>,
                      editedPaths: (JSONValue?) -> [String]) throws -> AgentEvent {
        let (name, session, cwd) = try json.commonEventFields()
        var event = AgentEvent(kind: .ignored, nativeName: name, agentSessionID: session, cwd: cwd)
        switch name {
        case "SessionStart": event.kind = .sessionStart(source: json["source"]?.stringValue)
        case "UserPromptSubmit": event.kind = .promptSubmit
        case "SessionEnd": event.kind = .sessionEnd(reason: json["reason"]?.stringValue)
        case "PreToolUse", "PostToolUse":
            let tool = json["tool_name"]?.stringValue
            event.toolName = tool
            if let tool, editTools.contains(tool) { event.paths = editedPaths(json["tool_input"]) }
            if name == "PostToolUse" {
                event.kind = .afterTool
            } else if !event.paths.isEmpty {
                event.kind = .beforeEdit
            }
        default: break
        }
        return event
    }

    /// Write, Edit and MultiEdit name the file in `file_path`; NotebookEdit in `notebook_path`.
    static func editedPaths(_ input: JSONValue?) -> [String] {
        guard let input else { return [] }
        return ["file_path", "notebook_path"].compactMap { input[$0]?.stringValue }.filter { !$0.isEmpty }
    }

    static func render(_ reply: HookReply, for event: AgentEvent) -> String {
        render(reply, for: event, canAsk: true)
    }

    /// Claude Code's answer format, which Codex CLI shares; Codex cannot `ask` from a hook, so there an ask
    /// becomes a warning (to the model and to the user) and the agent's own approval prompt decides.
    static func render(_ reply: HookReply, for event: AgentEvent, canAsk: Bool) -> String {
        var specific: [JSONValue.Member] = [.init("hookEventName", .string(event.nativeName))]
        var top: [JSONValue.Member] = []
        if let conflict = reply.conflict {
            switch conflict.mode == .ask && !canAsk ? .warn : conflict.mode {
            case .ask, .deny:
                specific.append(.init("permissionDecision", .string(conflict.mode.rawValue)))
                specific.append(.init("permissionDecisionReason", .string(conflict.reason)))
            case .warn:
                specific.append(.init("additionalContext", .string(ModelText.capped(conflict.reason, limit: contextLimit))))
                top.append(.init("systemMessage", .string(conflict.reason)))
            }
        } else if let context = reply.context {
            specific.append(.init("additionalContext", .string(ModelText.capped(context, limit: contextLimit))))
        } else {
            return ""
        }
        return JSONWriter.compact(.object(top + [.init("hookSpecificOutput", .object(specific))]))
    }
}
