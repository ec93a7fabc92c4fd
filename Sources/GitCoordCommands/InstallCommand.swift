import ArgumentParser
import GitCoordAgents
import GitCoordCore
import GitCoordSystem

struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Wire a coding agent (claude, codex, gemini) into this worktree: hooks, MCP server, slash commands.",
        discussion: """
        Merges git-coord's hooks into the agent's settings in this worktree, keeping \
        every other setting and hook as it was. Running it twice changes nothing; \
        --uninstall takes out exactly what it put in.

          claude  .claude/settings.local.json (--shared: .claude/settings.json),
                  .mcp.json, and /sessions, /note, /message in .claude/commands/
          codex   .codex/hooks.json (in the main checkout, where Codex reads it),
                  .codex/config.toml (MCP server, sandbox write access to
                  the git folder), and trust in these hooks in
                  $CODEX_HOME/config.toml
          gemini  .gemini/settings.json (hooks and MCP server), and /sessions,
                  /note, /message in .gemini/commands/

        --local (the default) keeps the files it creates out of 'git status' \
        (.git/info/exclude); --shared writes files meant to be committed.

        Example, then start Claude Code in this worktree:
          git coord init && git coord install claude
        """
    )

    @Argument(help: ArgumentHelp("The agent: claude, codex or gemini.", valueName: "agent"),
              completion: .list(AgentKind.allCases.map(\.rawValue)))
    var agent: String

    @Flag(exclusivity: .exclusive, help: "Personal settings, kept out of git status (default), or settings to commit.")
    var scope: ScopeFlag = .local

    @Flag(help: "Take git-coord's hooks, MCP server and commands out again.")
    var uninstall = false

    enum ScopeFlag: String, EnumerableFlag {
        case local, shared
    }

    func validate() throws {
        if AgentKind(rawValue: agent) == nil {
            throw ValidationError("Unknown agent '\(agent)': use claude, codex or gemini.")
        }
    }

    func run() throws {
        try withCoordination(requireEnabled: false) { coordination in
            guard let worktree = coordination.repository.workdir else { throw CoordError.bareRepository }
            let repository = coordination.repository
            var installer = AgentInstaller(agent: AgentKind(rawValue: agent)!, context: InstallContext(
                worktree: worktree, mainCheckout: repository.mainCheckout ?? worktree, commonDir: repository.commonDir,
                scope: scope == .shared ? .shared : .local, environment: Environment.all))
            let changes: [AgentInstaller.Change]
            do {
                changes = uninstall ? try installer.uninstall() : try installer.install()
            } catch let failure as AgentInstaller.Failure {
                throw CoordError.agentSettings(path: failure.path, reason: failure.reason)
            }
            for change in changes where change.action == .skipped {
                printError("warning: left \(change.path) alone: \(change.note ?? "")")
            }
            for note in installer.notes { printError("warning: " + note) }
            if !uninstall { for step in installer.dialect.remainingSteps(after: installer.context) { printError("hint: " + step) } }
            if !uninstall && !coordination.isEnabled {
                printError("hint: coordination is off in this repository, so the hooks will stay silent; turn it on with 'git coord init'")
            }
        }
    }
}
