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
        #expect(commands(in: installed, event: "Stop") == ["say done", "git coord hook claude"])
        for event in ["SessionStart", "UserPromptSubmit", "PostToolUse", "SessionEnd"] {
            #expect(commands(in: installed, event: event) == ["git coord hook claude"], "\(event)")
        }
        // Stop waits in the background for as long as the session idles, and wakes the model with exit 2.
        let stop = (((installed["hooks"] as? [String: Any])?["Stop"] as? [[String: Any]])?.last?["hooks"] as? [[String: Any]])?.first
        #expect(stop?["asyncRewake"] as? Bool == true && stop?["timeout"] as? Int == 86_400, "\(String(describing: stop))")
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
        try scratch.coordOK("install", "codex", env: ["CODEX_HOME": scratch.root + "/codex-home"])
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
        try scratch.coordOK("install", "codex", "--uninstall", env: ["CODEX_HOME": scratch.root + "/codex-home"])
        let restored = try json(scratch.repo + "/.gemini/settings.json")
        let same = NSDictionary(dictionary: restored).isEqual(to: ["theme": "Dracula", "mcpServers": ["other": ["command": "x"]]])
        #expect(same, "\(restored)")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.codex/hooks.json"))
    }

    /// Codex 0.163 reads a linked worktree's hooks from the main checkout, its config.toml from the worktree, runs
    /// project hooks only once each is trusted by hash in the user's config, and keeps .git read-only in its sandbox.
    @Test func codexInstallInALinkedWorktreeWorksAndIsUndoneExactly() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let worktree = try scratch.addWorktree("app-b")
        let codexHome = scratch.root + "/codex-home"
        let userConfig = """
            model = "gpt-5.5"  # mine

            [projects."\(scratch.repo)"]
            trust_level = "trusted"
            """ + "\n"
        try scratch.write("config.toml", userConfig, in: codexHome)
        try scratch.write(".codex/config.toml", "[sandbox_workspace_write]\nnetwork_access = true\n")
        let env = ["CODEX_HOME": codexHome]

        let fromWorktree = try scratch.coord(["install", "codex"], in: worktree, env: env)
        #expect(fromWorktree.succeeded, "\(fromWorktree)")
        #expect(fromWorktree.stderr.contains("hint: Codex reads \(worktree)/.codex only in a project you trust"), "\(fromWorktree)")
        #expect(!fromWorktree.stderr.contains("hint: Codex reads \(scratch.repo)/.codex"), "the main checkout is trusted")
        let hooks = try json(scratch.repo + "/.codex/hooks.json")
        for event in ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd"] {
            #expect(commands(in: hooks, event: event) == ["git coord hook codex"], "\(event)")
        }
        let stop = (((hooks["hooks"] as? [String: Any])?["Stop"] as? [[String: Any]])?.first?["hooks"] as? [[String: Any]])?.first
        #expect(stop?["async"] as? Bool == true, "Stop waits in the background: \(String(describing: stop))")
        let ownConfig = try String(contentsOfFile: worktree + "/.codex/config.toml", encoding: .utf8)
        #expect(ownConfig.contains("[mcp_servers.git-coord]") && ownConfig.contains("default_tools_approval_mode = \"approve\""))
        #expect(ownConfig.contains("writable_roots = [\"\(scratch.repo)/.git\"]"), "\(ownConfig)")
        // The hashes the real Codex 0.163.0 computes for these hooks (its app-server's hooks/list, currentHash).
        let trust = try String(contentsOfFile: codexHome + "/config.toml", encoding: .utf8)
        #expect(trust.hasPrefix(userConfig), "the user's lines stay first and unchanged")
        let path = scratch.repo + "/.codex/hooks.json"
        for (event, hash) in [("session_start", "d663e2b1f72e0bb4614b78615357f3182524c806bcad972d6b94d37b15950a6b"),
                              ("user_prompt_submit", "71d88052e738afbde4235a71dd6741100646b71a8145de6a4257f02e98925f62"),
                              ("pre_tool_use", "9f7eee373100a0c0cc6417319fa6d2b802beacee9df207c7edecdb9aadb4f548"),
                              ("post_tool_use", "f597985cfec456d61b33febce70690254ac0dc4a86423c9d8e7e91deb2abd1e9"),
                              ("session_end", "6ef78e345f684a1e4538aeec98966ace8b3f82a8ae4a2e6008bf4591fd856aa2"),
                              // async: true is part of what Codex hashes.
                              ("stop", "072f11721b53ab05a2739776203bfa910b0db7ba3241ec7cda484bffee6d669d")] {
            #expect(trust.contains("[hooks.state.\"\(path):\(event):0:0\"]\ntrusted_hash = \"sha256:\(hash)\""), "\(event): \(trust)")
        }

        // In the main checkout, the user's own [sandbox_workspace_write] gets the writable root, marked as ours.
        let fromMain = try scratch.coord(["install", "codex"], env: env)
        #expect(fromMain.succeeded && !fromMain.stderr.contains("warning"), "\(fromMain)")
        let mainConfig = try String(contentsOfFile: scratch.repo + "/.codex/config.toml", encoding: .utf8)
        #expect(mainConfig.hasPrefix("[sandbox_workspace_write]\nwritable_roots = [\"\(scratch.repo)/.git\"]  # git coord install codex\nnetwork_access = true\n"),
                "\(mainConfig)")
        #expect(mainConfig.components(separatedBy: "[sandbox_workspace_write]").count == 2, "never a second table of that name")
        let again = try String(contentsOfFile: codexHome + "/config.toml", encoding: .utf8)
        #expect(again == trust, "installing twice trusts the same hooks once")

        try scratch.coordOK("install", "codex", "--uninstall", in: worktree, env: env)
        try scratch.coordOK("install", "codex", "--uninstall", env: env)
        #expect(try String(contentsOfFile: codexHome + "/config.toml", encoding: .utf8) == userConfig, "trust withdrawn, nothing else")
        #expect(try String(contentsOfFile: scratch.repo + "/.codex/config.toml", encoding: .utf8) == "[sandbox_workspace_write]\nnetwork_access = true\n")
        #expect(!FileManager.default.fileExists(atPath: scratch.repo + "/.codex/hooks.json"))
        #expect(!FileManager.default.fileExists(atPath: worktree + "/.codex"), "the folder install made is gone")
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
