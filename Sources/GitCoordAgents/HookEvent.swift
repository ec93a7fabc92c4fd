import GitCoordCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One hook event, whatever agent sent it: what git-coord needs to decide, nothing more.
public struct AgentEvent: Sendable, Equatable {
    public enum Kind: Equatable, Sendable {
        case sessionStart(source: String?)
        case promptSubmit
        /// Before a file-editing tool runs; `paths` says which files.
        case beforeEdit
        /// After any tool ran; `paths` is non-empty when it edited files.
        case afterTool
        case sessionEnd(reason: String?)
        /// The agent finished its turn and idles: a waiter stays to wake it when something arrives (see `WakeWaiter`).
        case stop
        /// An event git-coord has nothing to do for (Notification, a tool that edits nothing, ...).
        case ignored
    }

    public var kind: Kind
    /// The event's name as the agent spells it ("PreToolUse", "BeforeTool"): echoed back in the answer.
    public var nativeName: String
    /// The agent's own id for its session: the identity (see docs/design.md, "Agent identity").
    public var agentSessionID: String
    public var cwd: String?
    public var toolName: String?
    /// Files the tool edits, absolute or relative to `cwd`, as the agent gave them.
    public var paths: [String]
    /// What the user typed (UserPromptSubmit, BeforeAgent).
    public var prompt: String?
    /// The title the agent generated for the session from the user's request, when it has one (Claude Code's
    /// `session_title`).
    public var title: String?
    /// The agent's transcript of the session (read only for the title the agent wrote there).
    public var transcriptPath: String?

    public init(kind: Kind, nativeName: String, agentSessionID: String, cwd: String?, toolName: String? = nil,
                paths: [String] = [], prompt: String? = nil, title: String? = nil, transcriptPath: String? = nil) {
        self.kind = kind
        self.nativeName = nativeName
        self.agentSessionID = agentSessionID
        self.cwd = cwd
        self.toolName = toolName
        self.paths = paths
        self.prompt = prompt
        self.title = title
        self.transcriptPath = transcriptPath
    }

    init(_ fields: HookEventFields, name: String, session: String) {
        self.init(kind: .ignored, nativeName: name, agentSessionID: session, cwd: fields.cwd, prompt: fields.prompt,
                  title: fields.sessionTitle, transcriptPath: fields.transcriptPath)
    }
}

/// Why an event could not be read: reported on stderr, never to the agent as a failure.
public struct MalformedEvent: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The fields of a hook event as Claude Code, Codex CLI and Gemini CLI write them (snake_case; each agent uses a
/// subset). Every field is optional and read leniently: a field of an unexpected type is as good as absent, so an
/// agent that adds or changes a field never breaks the hook. Which fields are required is each dialect's call.
struct HookEventFields: Decodable {
    var hookEventName: String?
    var sessionID: String?
    var cwd: String?
    var source: String?
    var reason: String?
    var toolName: String?
    var toolInput: ToolInput?
    var prompt: String?
    var sessionTitle: String?
    var transcriptPath: String?

    /// The tool arguments that name files. Claude Code: `file_path` (Write, Edit, MultiEdit), `notebook_path`
    /// (NotebookEdit). Codex: the patch text of `apply_patch` in `command` (older builds: `patch`, `input`).
    /// Gemini CLI: `file_path` or `absolute_path`.
    struct ToolInput: Decodable {
        var filePath: String?
        var notebookPath: String?
        var absolutePath: String?
        var command: String?
        var patch: String?
        var input: String?

        enum CodingKeys: String, CodingKey {
            case filePath = "file_path", notebookPath = "notebook_path", absolutePath = "absolute_path"
            case command, patch, input
        }

        init(from decoder: Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            filePath = fields.lenientString(.filePath)
            notebookPath = fields.lenientString(.notebookPath)
            absolutePath = fields.lenientString(.absolutePath)
            command = fields.lenientString(.command)
            patch = fields.lenientString(.patch)
            input = fields.lenientString(.input)
        }
    }

    enum CodingKeys: String, CodingKey {
        case hookEventName = "hook_event_name", sessionID = "session_id", cwd, source, reason
        case toolName = "tool_name", toolInput = "tool_input", prompt, sessionTitle = "session_title"
        case transcriptPath = "transcript_path"
    }

    init(from decoder: Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        hookEventName = fields.lenientString(.hookEventName)
        sessionID = fields.lenientString(.sessionID)
        cwd = fields.lenientString(.cwd)
        source = fields.lenientString(.source)
        reason = fields.lenientString(.reason)
        toolName = fields.lenientString(.toolName)
        toolInput = try? fields.decodeIfPresent(ToolInput.self, forKey: .toolInput)
        prompt = fields.lenientString(.prompt)
        sessionTitle = fields.lenientString(.sessionTitle)
        transcriptPath = fields.lenientString(.transcriptPath)
    }

    /// Decodes the fields; an event that is not a JSON object, or lacks its name or session, is malformed.
    static func decode(_ input: [UInt8]) throws -> (fields: HookEventFields, name: String, session: String) {
        let fields: HookEventFields
        do {
            fields = try JSONDecoder().decode(HookEventFields.self, from: Data(input))
        } catch {
            throw MalformedEvent(input.isEmpty ? "the event is empty" : "the event is not a JSON object")
        }
        guard let name = fields.hookEventName, !name.isEmpty else { throw MalformedEvent("the event has no hook_event_name") }
        guard let session = fields.sessionID, !session.isEmpty else {
            throw MalformedEvent("the \(Display.neutralised(name)) event has no session_id")
        }
        return (fields, name, session)
    }
}

extension KeyedDecodingContainer {
    /// A string field, or nil when it is absent, null or of another type.
    func lenientString(_ key: Key) -> String? { (try? decodeIfPresent(String.self, forKey: key)) ?? nil }
}
