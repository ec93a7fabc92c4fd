import ArgumentParser
import GitCoordCore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Turn coordination on for this repository (every worktree shares it).",
        discussion: """
        Sets coord.enabled in the repository's shared config. Until then every other command refuses to run, so nothing is written to a repository that did not opt in. Running it twice changes nothing. --uninstall turns coordination off again and deletes the listing cache in .git/coord/; the records under refs/coord/ are kept (delete them with 'git for-each-ref --format="delete %(refname)" refs/coord/ | git update-ref --stdin').

        It also installs git hooks (pre-commit, post-checkout, post-commit, post-merge) into the folder git runs hooks from (core.hooksPath if set, else .git/hooks). A hook of yours already there is kept as NAME.before-coord and still runs first; --uninstall puts it back. Set coord.strict to true to make the pre-commit hook refuse commits that touch files other live sessions are on.

        --remote NAME shares coordination with other clones through that remote (see 'git coord sync --help').
        """
    )

    @Flag(help: "Turn coordination off for this repository.")
    var uninstall = false

    @Option(help: ArgumentHelp("Also share coordination through this git remote ('git coord sync'); with --uninstall, stop sharing with it.",
                               valueName: "name"), completion: CompletionWords.remotes)
    var remote: String?

    func run() throws {
        try withCoordination(requireEnabled: false) { coordination in
            if let remote {
                // Sharing is opt-in per remote; --uninstall --remote stops sharing and leaves coordination on.
                try coordination.sharing.setShared(!uninstall, with: remote)
                if uninstall { return }
            }
            // Hooks first: if their folder cannot be written, coordination stays as it was.
            let hooks = HookInstaller(repository: coordination.repository)
            if uninstall {
                try hooks.uninstall()
            } else {
                try hooks.install()
            }
            try coordination.setEnabled(!uninstall)
        }
    }
}
