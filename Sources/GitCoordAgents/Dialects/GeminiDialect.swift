/// Gemini CLI's hook protocol (google-gemini/gemini-cli docs/hooks/reference.md).
///
/// Its own event names (BeforeAgent for a prompt, BeforeTool/AfterTool around tools) and tool names (`write_file`,
/// `replace`); stdout must be JSON or nothing. Before a tool it can only allow or deny (`decision`, `reason`, the
/// reason going to the model), so `ask` is shown to the user as a `systemMessage` next to Gemini's own confirmation
/// of the edit; `coord.editConflict=deny` blocks.
enum GeminiDialect {
    static let editTools: Set<String> = ["write_file", "replace", "edit"]
    static let contextLimit = 10_000

    static func event(from json: JSONValue) throws -> AgentEvent {
        let (name, session, cwd) = try json.commonEventFields()
        var event = AgentEvent(kind: .ignored, nativeName: name, agentSessionID: session, cwd: cwd)
        switch name {
        case "SessionStart": event.kind = .sessionStart(source: json["source"]?.stringValue)
        case "BeforeAgent": event.kind = .promptSubmit
        case "SessionEnd": event.kind = .sessionEnd(reason: json["reason"]?.stringValue)
        case "BeforeTool", "AfterTool":
            let tool = json["tool_name"]?.stringValue
            event.toolName = tool
            if let tool, editTools.contains(tool) {
                event.paths = ["file_path", "absolute_path"].compactMap { json["tool_input"]?[$0]?.stringValue }
                    .filter { !$0.isEmpty }
            }
            if name == "AfterTool" {
                event.kind = .afterTool
            } else if !event.paths.isEmpty {
                event.kind = .beforeEdit
            }
        default: break
        }
        return event
    }

    static func render(_ reply: HookReply, for event: AgentEvent) -> String {
        if let conflict = reply.conflict {
            if conflict.mode == .deny {
                return JSONWriter.compact(.object(["decision": .string("deny"), "reason": .string(conflict.reason)]))
            }
            return JSONWriter.compact(.object(["systemMessage": .string(conflict.reason)]))
        }
        guard let context = reply.context else { return "" }
        return JSONWriter.compact(.object([
            "hookSpecificOutput": .object([
                "hookEventName": .string(event.nativeName),
                "additionalContext": .string(ModelText.capped(context, limit: contextLimit)),
            ]),
        ]))
    }
}
