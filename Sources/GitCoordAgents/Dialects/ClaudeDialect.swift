import GitCoordSystem

/// Claude Code (code.claude.com/docs/en/hooks; observed in the real CLI: ../docs/design.md, "Coding agents").
///
/// Plain stdout reaches the model only on SessionStart and UserPromptSubmit, so every answer is JSON:
/// `hookSpecificOutput.additionalContext` (a system reminder, at most 10,000 characters) and, before a tool,
/// `permissionDecision` with its reason. "ask" reaches a person in the TUI and in SDK sessions with a permission
/// handler; in `claude -p` it acts as a refusal, which is the safe side.
public struct ClaudeDialect: AgentDialect {
    public init() {}
    public var kind: AgentKind { .claude }
    public var displayName: String { "Claude Code" }
    public var contextLimit: Int { 10_000 }
    public var canAsk: Bool { true }
    public var hasSessionEnd: Bool { true }
    public var envFileVariables: [String] { ["CLAUDE_ENV_FILE"] }
    public var projectDirectoryVariable: String? { "CLAUDE_PROJECT_DIR" }
    public var shellSessionVariable: String? { nil }

    /// The tools that edit files, in the order of the installed matcher.
    static let editTools = ["Edit", "Write", "MultiEdit", "NotebookEdit"]

    public func event(from input: [UInt8]) throws -> AgentEvent {
        try ClaudeEvents.event(from: input, editTools: Self.editTools) { input in
            [input.filePath, input.notebookPath].compactMap { $0 }
        }
    }

    public func render(_ reply: HookReply, for event: AgentEvent) -> String {
        ClaudeEvents.render(reply, for: event, contextLimit: contextLimit, canAsk: canAsk)
    }

    public var hookGroups: [HookGroup] { ClaudeEvents.hookGroups(editTools: Self.editTools) }

    /// Stop runs in the background (`asyncRewake`) for as long as the session idles; its exit 2 wakes the model with
    /// its stderr, after `rewakeMessage` (and `rewakeSummary` is the line the user sees).
    public func hookEntry(command: String, group: HookGroup) -> JSONValue {
        guard group.event == "Stop" else {
            return .object(["type": .string("command"), "command": .string(command), "timeout": .number("10")])
        }
        return .object(["type": .string("command"), "command": .string(command), "timeout": .number(String(stopHookTimeout)),
                        "asyncRewake": .bool(true), "rewakeMessage": .string("git-coord woke this idle session:"),
                        "rewakeSummary": .string("git-coord: news from another session")])
    }

    // MARK: Waking

    public var wake: WakeMeans? { .exitWithDelivery }
    /// A day: the longest a session idles and can still be woken.
    public var stopHookTimeout: Int { 86_400 }

    /// The agent is `$CLAUDE_PID` (Claude Code sets it for its hooks), which must be an ancestor of the hook. A
    /// one-shot `claude -p` runs Stop in the foreground and would wait for the hook: it is left alone. `-p` with
    /// `--input-format stream-json` (what SDKs run) is a long-lived session. When the agent reads its input from a
    /// pipe (an SDK host), the end of that input ends the session, and Claude Code would wait ~30 s for a pending
    /// hook before its SessionEnd: the waiter watches that pipe and leaves at once.
    public func wakeHost(environment: [String: String], ancestors: [ProcessEntry]) -> WakeHost? {
        guard let pid = environment["CLAUDE_PID"].flatMap(Int32.init),
              let agent = ancestors.first(where: { $0.pid == pid }), !Self.isOneShot(agent.arguments) else { return nil }
        let input = agent.descriptorTarget(0).flatMap { $0.hasPrefix("pipe:") ? "/proc/\(pid)/fd/0" : nil }
        return WakeHost(pid: pid, input: input, executable: nil)
    }

    /// `claude -p PROMPT` (or `--print`) without stream-json input: one prompt, one answer, then exit.
    static func isOneShot(_ arguments: [String]) -> Bool {
        let options = arguments.dropFirst().prefix { $0 != "--" }
        let printing = options.contains("-p") || options.contains("--print")
        let streamed = options.contains("--input-format=stream-json")
            || zip(options, options.dropFirst()).contains { $0 == "--input-format" && $1 == "stream-json" }
        return printing && !streamed
    }

    /// Without these, every `git coord` call the model makes through Bash and every MCP call waits for approval,
    /// and `claude -p` refuses them: the model could not follow git-coord's own advice. Allowed: the commands that
    /// only read or write this repository's coordination state; never those that reach a remote (`sync`,
    /// `claim`, which `--remote` or coord.claimOnRemote send to the server; the MCP `claim` tool is local), change
    /// settings or hooks (`init`, `install`), or delete (`gc`, `doctor`).
    static let allowedRules = ModelCommands.local.map { "Bash(git coord \($0):*)" } + ["mcp__\(HookSettings.mcpServerName)"]

    public func installation(_ context: InstallContext) -> [InstallStep] {
        let settings = FileSpot.worktree(context.scope == .shared ? ".claude/settings.json" : ".claude/settings.local.json")
        return [.json(settings, .hooks),
                .json(settings, .listMembers(Self.allowedRules, at: ["permissions", "allow"])),
                // The project's .mcp.json server connects in -p and SDK sessions, but waits for approval in the TUI.
                .json(settings, .listMembers([HookSettings.mcpServerName], at: ["enabledMcpjsonServers"])),
                .json(.worktree(".mcp.json"), .mcpServers)]
            + AgentCommands.claude.map { InstallStep.command($0) }
    }
}

/// Claude Code's event names, fields and answer format, which Codex CLI shares; the two differ in their edit tools
/// and in whether "ask" can reach a person.
enum ClaudeEvents {
    /// The events both agents are hooked on, in their shared names; before a tool only on the tools that edit.
    static func hookGroups(editTools: [String]) -> [HookGroup] {
        [HookGroup("SessionStart"), HookGroup("UserPromptSubmit"),
         HookGroup("PreToolUse", matcher: editTools.joined(separator: "|")),
         HookGroup("PostToolUse"), HookGroup("Stop"), HookGroup("SessionEnd")]
    }

    static func event(from input: [UInt8], editTools: [String],
                      editedPaths: (HookEventFields.ToolInput) -> [String]) throws -> AgentEvent {
        let (fields, name, session) = try HookEventFields.decode(input)
        var event = AgentEvent(fields, name: name, session: session)
        switch name {
        case "SessionStart": event.kind = .sessionStart(source: fields.source)
        case "UserPromptSubmit": event.kind = .promptSubmit
        case "SessionEnd": event.kind = .sessionEnd(reason: fields.reason)
        case "Stop": event.kind = .stop
        case "PreToolUse", "PostToolUse":
            event.toolName = fields.toolName
            if let tool = fields.toolName, editTools.contains(tool), let input = fields.toolInput {
                event.paths = editedPaths(input).filter { !$0.isEmpty }
            }
            if name == "PostToolUse" {
                event.kind = .afterTool
            } else if !event.paths.isEmpty {
                event.kind = .beforeEdit
            }
        default: break
        }
        return event
    }

    /// An agent that cannot ask from a hook gets a warning instead (to the model and the user), and its own approval
    /// prompt decides; a conflict mode of `deny` refuses in either.
    static func render(_ reply: HookReply, for event: AgentEvent, contextLimit: Int, canAsk: Bool) -> String {
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
