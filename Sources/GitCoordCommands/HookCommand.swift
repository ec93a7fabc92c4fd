import ArgumentParser

/// `git coord hook NAME`: the entry points that git's hooks (hooks/ folder) and the agents' hook systems call.
/// Each handler is its own subcommand, in its own file.
struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Handlers called by git hooks and by coding agents' hook systems (not usually run by hand).",
        subcommands: [
            PreCommitHook.self, PostCheckoutHook.self, PostCommitHook.self, PostMergeHook.self,
            ClaudeHook.self, CodexHook.self, GeminiHook.self,
            BackgroundSyncHook.self,
        ]
    )
}
