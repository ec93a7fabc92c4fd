import ArgumentParser
import GitCoordCore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Turn coordination on for this repository (every worktree shares it).",
        discussion: """
        Sets coord.enabled in the repository's shared config. Until then every other command refuses to
        run, so nothing is written to a repository that did not opt in. Running it twice changes nothing.
        --uninstall turns coordination off again; the records under refs/coord/ are kept (delete them with
        'git for-each-ref --format="delete %(refname)" refs/coord/ | git update-ref --stdin').
        """
    )

    @Flag(help: "Turn coordination off for this repository.")
    var uninstall = false

    func run() throws {
        try withCoordination(requireEnabled: false) { coordination in
            try coordination.setEnabled(!uninstall)
        }
    }
}
