import ArgumentParser
import GitCoordAgents
import GitCoordCore
import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `git coord hook claude|codex|gemini`: one agent hook event on stdin, the answer on stdout. Always exit 0: a
/// hook that fails must not break the agent, so problems are reported on stderr instead.
protocol AgentHookCommand: ParsableCommand {
    static var agent: AgentKind { get }
}

extension AgentHookCommand {
    func run() throws {
        let status = AgentHookEntry.answer(Self.agent)
        if status != 0 { throw ExitCode(status) }
    }

    static func hookDiscussion(_ events: String, install: String) -> String {
        """
        Reads one \(agent.displayName) hook event (JSON) on stdin and answers in \(agent.displayName)'s documented format \
        on stdout: \(events). Nothing is printed when there is nothing to say. It always exits 0: a malformed or \
        unknown event, or a repository where coordination is off, is reported on stderr and changes nothing.

        Installed by '\(install)'. To see what the model would be told:
          e='{"session_id":"s1","hook_event_name":"SessionStart","cwd":"'$PWD'"}'
          echo "$e" | git coord hook \(agent.rawValue)
        """
    }
}

struct ClaudeHook: AgentHookCommand {
    static let agent = AgentKind.claude
    static let configuration = CommandConfiguration(
        commandName: "claude",
        abstract: "Answer one Claude Code hook event (SessionStart, UserPromptSubmit, PreToolUse, PostToolUse, Stop, SessionEnd).",
        discussion: hookDiscussion(
            "SessionStart registers (or resumes) the session and tells the model who else is live; PreToolUse on Edit, "
                + "Write, MultiEdit and NotebookEdit asks before editing a file another live session has; PostToolUse "
                + "records the file as touched; Stop waits in the background while the session idles and wakes it (exit "
                + "2, the message on stderr) when a direct message arrives; SessionEnd ends the session",
            install: "git coord install claude")
    )
}

struct CodexHook: AgentHookCommand {
    static let agent = AgentKind.codex
    static let configuration = CommandConfiguration(
        commandName: "codex",
        abstract: "Answer one Codex CLI hook event (SessionStart, UserPromptSubmit, PreToolUse, PostToolUse, Stop, SessionEnd).",
        discussion: hookDiscussion(
            "the same as for Claude Code, with apply_patch as the editing tool; Codex cannot ask from a hook, so an "
                + "overlapping edit is refused (coord.editConflict=warn only warns); Stop waits in the background in a "
                + "session hosted by Codex's app-server and starts a turn with 'codex queue' when a direct message arrives",
            install: "git coord install codex")
    )
}

struct GeminiHook: AgentHookCommand {
    static let agent = AgentKind.gemini
    static let configuration = CommandConfiguration(
        commandName: "gemini",
        abstract: "Answer one Gemini CLI hook event (SessionStart, BeforeAgent, BeforeTool, AfterTool, SessionEnd).",
        discussion: hookDiscussion(
            "the same as for Claude Code, with write_file and replace as the editing tools; BeforeTool can only allow or "
                + "deny, so an overlapping edit is shown to the user (or denied with coord.editConflict=deny)",
            install: "git coord install gemini")
    )
}

/// The agents start `git coord hook <agent>` on every edit: that exact command line skips ArgumentParser, whose
/// command tree costs about a millisecond of type lookups at start-up. Any other form (`--help`) goes through it.
enum AgentHookEntry {
    static func agent(for arguments: [String]) -> AgentKind? {
        guard arguments.count == 3, arguments[1] == "hook" else { return nil }
        return AgentKind(rawValue: arguments[2])
    }

    /// Answers one event and returns the exit status: 0, or 2 when a waiting Stop hook wakes the agent (its text on
    /// stderr, alone).
    static func answer(_ agent: AgentKind) -> Int32 {
        // A read error gives what was read, which the parser then refuses: a hook never fails the agent.
        let input = (try? StandardInput.read(keeping: AgentHook.maximumInput + 1)) ?? []
        let answer = AgentHook.answer(agent: agent, input: input, environment: Environment.all,
                                      currentDirectory: Environment.currentDirectory)
        for line in answer.diagnostics { printError(line) }
        if !answer.stdout.isEmpty { print(answer.stdout) }
        if let wake = answer.wake { printError(wake) }
        return answer.exitStatus
    }
}
