/// Gemini CLI (google-gemini/gemini-cli docs/hooks/reference.md). No build of it is reachable here: this dialect
/// follows its documentation and the fixtures in Tests/GitCoordTests/Fixtures/gemini, untested against the CLI.
///
/// Its own event names (BeforeAgent for a prompt, BeforeTool/AfterTool around tools) and tool names (`write_file`,
/// `replace`); stdout must be JSON or nothing. Before a tool it can only allow or deny (`decision`, `reason`, the
/// reason going to the model), so the edit guard refuses by default.
public struct GeminiDialect: AgentDialect {
    public init() {}
    public var kind: AgentKind { .gemini }
    public var displayName: String { "Gemini CLI" }
    public var contextLimit: Int { 10_000 }
    public var canAsk: Bool { false }
    public var hasSessionEnd: Bool { true }
    public var envFileVariables: [String] { [] }
    public var projectDirectoryVariable: String? { "GEMINI_PROJECT_DIR" }
    public var shellSessionVariable: String? { nil }

    static let editTools = ["write_file", "replace"]

    public func event(from input: [UInt8]) throws -> AgentEvent {
        let (fields, name, session) = try HookEventFields.decode(input)
        var event = AgentEvent(fields, name: name, session: session)
        switch name {
        case "SessionStart": event.kind = .sessionStart(source: fields.source)
        case "BeforeAgent": event.kind = .promptSubmit
        case "SessionEnd": event.kind = .sessionEnd(reason: fields.reason)
        case "BeforeTool", "AfterTool":
            event.toolName = fields.toolName
            if let tool = fields.toolName, Self.editTools.contains(tool), let input = fields.toolInput {
                event.paths = [input.filePath, input.absolutePath].compactMap { $0 }.filter { !$0.isEmpty }
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

    public func render(_ reply: HookReply, for event: AgentEvent) -> String {
        if let conflict = reply.conflict {
            // No ask before a tool: anything but deny is shown to the user beside Gemini's own confirmation.
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

    public var hookGroups: [HookGroup] {
        [HookGroup("SessionStart"), HookGroup("BeforeAgent"),
         HookGroup("BeforeTool", matcher: Self.editTools.joined(separator: "|")), HookGroup("AfterTool"),
         HookGroup("SessionEnd")]
    }

    /// Gemini counts timeouts in milliseconds and names its hooks.
    public func hookEntry(command: String, group: HookGroup) -> JSONValue {
        .object(["name": .string("git-coord"), "type": .string("command"), "command": .string(command),
                 "timeout": .number("10000")])
    }

    public func installation(_ context: InstallContext) -> [InstallStep] {
        [.json(.worktree(".gemini/settings.json"), .hooks), .json(.worktree(".gemini/settings.json"), .mcpServers)]
            + AgentCommands.gemini.map { InstallStep.command($0) }
    }
}
