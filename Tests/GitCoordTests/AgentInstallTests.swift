import CoordTestSupport
import Foundation
import Testing

/// `git coord install claude|codex|gemini`: merged into the user's settings, idempotent, reversible.
@Suite struct AgentInstallTests {
    func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func commands(in settings: [String: Any], event: String) -> [String] {
        let groups = (settings["hooks"] as? [String: Any])?[event] as? [[String: Any]] ?? []
        return groups.flatMap { ($0["hooks"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String } }
    }

    @Test func claudeInstallKeepsTheUsersSettingsAndIsReversible() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let original = """
            {"permissions": {"allow": ["Bash(npm test:*)"]}, "model": "opus", "big": 12345678901234567890,
             "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh"}]}],
                       "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}}
            """
        try scratch.write(".claude/settings.local.json", original)
        let settingsPath = scratch.repo + "/.claude/settings.local.json"
        try scratch.coordOK("install", "claude")

        let installed = try json(settingsPath)
        #expect(installed["model"] as? String == "opus")
        // The user's rule first, then exactly git-coord's local commands and its MCP server: never sync, init,
        // install, gc or claim (which may reach a remote).
        let allowed = ((installed["permissions"] as? [String: Any])?["allow"] as? [String]) ?? []
        #expect(allowed.first == "Bash(npm test:*)")
        #expect(allowed.contains("Bash(git coord note:*)") && allowed.contains("Bash(git coord send:*)")
                && allowed.contains("Bash(git coord task:*)") && allowed.contains("mcp__git-coord"), "\(allowed)")
        for never in ["sync", "init", "install", "gc", "claim", "start", "stop", "hook", "mcp"] {
            #expect(!allowed.contains("Bash(git coord \(never):*)"), "\(never) needs the user's approval")
        }
        #expect(installed["enabledMcpjsonServers"] as? [String] == ["git-coord"])
        #expect(try String(contentsOfFile: settingsPath, encoding: .utf8).contains("12345678901234567890"), "numbers keep every digit")
        #expect(commands(in: installed, event: "PreToolUse") == ["./check.sh", "git coord hook claude"])
        #expect(commands(in: installed, event: "Stop") == ["say done"])
        for event in ["SessionStart", "UserPromptSubmit", "PostToolUse", "SessionEnd"] {
            #expect(commands(in: installed, event: event) == ["git coord hook claude"], "\(event)")
        }
        let pre = ((installed["hooks"] as? [String: Any])?["PreToolUse"] as? [[String: Any]])?.last
        #expect(pre?["matcher"] as? String == "Edit|Write|MultiEdit|NotebookEdit")
        let mcp = try json(scratch.repo + "/.mcp.json")
        #expect(((mcp["mcpServers"] as? [String: Any])?["git-coord"] as? [String: Any])?["args"] as? [String] == ["coord", "mcp"])
        for name in ["sessions", "note", "message"] {
            #expect(FileManager.default.fileExists(atPath: scratch.repo + "/.claude/commands/\(name).md"))
        }
        let listCommand = try String(contentsOfFile: scratch.repo + "/.claude/commands/sessions.md", encoding: .utf8)
        #expect(listCommand.contains("!`git coord list`"))
        // --local: the files it created stay out of git status.
        let status = try scratch.git("status", "--porcelain", "--untracked-files=all")
        #expect(!status.contains(".mcp.json") && !status.contains("commands/"), "\(status)")

        // Idempotent: the second install writes nothing.
        let before = try Data(contentsOf: URL(fileURLWithPath: settingsPath))
        try scratch.coordOK("install", "claude")
        #expect(try Data(contentsOf: URL(fileURLWithPath: settingsPath)) == before)

        // Reversible: the same settings as before, and nothing of ours left.
        try scratch.coordOK("install", "claude", "--uninstall")
        let restored = try json(settingsPath)
        let originalObject = try JSONSerialization.jsonObject(with: Data(original.utf8)) as? NSDictionary
        let same = NSDictionary(dictionary: restored).isEqual(originalObject)
        #expect(same, "\(restored)")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.mcp.json"))
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.claude/commands"))
        #expect(try !String(contentsOfFile: scratch.repo + "/.git/info/exclude", encoding: .utf8).contains("git coord install"))
    }

    @Test func sharedInstallWritesTheTeamFileAndLeavesAUsersCommandAlone() throws {
        let scratch = try Scratch()
        try scratch.write(".claude/commands/note.md", "my own /note\n")
        let result = try scratch.coord(["install", "claude", "--shared"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("left .claude/commands/note.md alone"), "\(result)")
        #expect(result.stderr.contains("git coord init"), "coordination is off: a hint says how to turn it on")
        #expect(try String(contentsOfFile: scratch.repo + "/.claude/commands/note.md", encoding: .utf8) == "my own /note\n")
        let settings = try json(scratch.repo + "/.claude/settings.json")
        #expect(commands(in: settings, event: "SessionStart") == ["git coord hook claude"])
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.claude/settings.local.json"))
        try scratch.coordOK("install", "claude", "--shared", "--uninstall")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.claude/settings.json"))
        #expect(try String(contentsOfFile: scratch.repo + "/.claude/commands/note.md", encoding: .utf8) == "my own /note\n")
    }

    @Test func codexAndGeminiUseTheirOwnFilesAndTerms() throws {
        let scratch = try Scratch()
        try scratch.write(".gemini/settings.json", #"{"theme": "Dracula", "mcpServers": {"other": {"command": "x"}}}"#)
        try scratch.coordOK("install", "codex")
        let codex = try json(scratch.repo + "/.codex/hooks.json")
        #expect(commands(in: codex, event: "PreToolUse") == ["git coord hook codex"])
        #expect(((codex["hooks"] as? [String: Any])?["PreToolUse"] as? [[String: Any]])?.first?["matcher"] as? String == "apply_patch")
        #expect(commands(in: codex, event: "SessionEnd") == ["git coord hook codex"], "Codex 0.163 fires SessionEnd")

        try scratch.coordOK("install", "gemini")
        let gemini = try json(scratch.repo + "/.gemini/settings.json")
        #expect(gemini["theme"] as? String == "Dracula")
        #expect(commands(in: gemini, event: "BeforeTool") == ["git coord hook gemini"])
        #expect(commands(in: gemini, event: "BeforeAgent") == ["git coord hook gemini"])
        let entry = (((gemini["hooks"] as? [String: Any])?["BeforeTool"] as? [[String: Any]])?.first?["hooks"] as? [[String: Any]])?.first
        #expect(entry?["timeout"] as? Int == 10000, "Gemini counts milliseconds")
        let servers = gemini["mcpServers"] as? [String: Any]
        #expect(servers?["other"] != nil && servers?["git-coord"] != nil)
        #expect(FileManager.default.fileExists(atPath: scratch.repo + "/.gemini/commands/note.toml"))

        try scratch.coordOK("install", "gemini", "--uninstall")
        try scratch.coordOK("install", "codex", "--uninstall")
        let restored = try json(scratch.repo + "/.gemini/settings.json")
        let same = NSDictionary(dictionary: restored).isEqual(to: ["theme": "Dracula", "mcpServers": ["other": ["command": "x"]]])
        #expect(same, "\(restored)")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.codex/hooks.json"))
    }

    @Test func brokenSettingsAreRefusedNotOverwritten() throws {
        let scratch = try Scratch()
        try scratch.write(".claude/settings.local.json", "{\"hooks\": {oops}")
        let result = try scratch.coord(["install", "claude"])
        #expect(result.status == 128 && result.stderr.contains("fatal:") && result.stderr.contains("not valid JSON"), "\(result)")
        #expect(try String(contentsOfFile: scratch.repo + "/.claude/settings.local.json", encoding: .utf8) == "{\"hooks\": {oops}")
        let unknown = try scratch.coord(["install", "cursor"])
        #expect(unknown.status == 64 && unknown.stderr.contains("claude, codex or gemini"), "\(unknown)")
    }
}
