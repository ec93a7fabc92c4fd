import ArgumentParser
import GitCoordCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What shell completion offers for arguments whose values live in the repository. The completion scripts
/// (generated from ArgumentParser's description of the commands, see Tools/GitCoordDocs) run these commands.
enum CompletionWords {
    static let sessions = CompletionKind.shellCommand("git coord complete sessions")
    static let ownClaims = CompletionKind.shellCommand("git coord complete claims --mine")
    static let remotes = CompletionKind.shellCommand("git coord complete remotes")
}

/// `git coord complete sessions|claims|remotes`: one word per line for the completion scripts. Hidden: it is for
/// the scripts, not for people. It never fails and never writes to stderr: a shell's TAB must not print errors.
struct Complete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete",
        abstract: "Words for shell completion: live session names, claimed paths, remotes.",
        shouldDisplay: false
    )

    @Argument(help: "sessions, claims or remotes.")
    var what: String

    @Flag(help: "With claims: only the claims of the session these commands act for.")
    var mine = false

    func run() {
        guard let coordination = try? Coordination(requireEnabled: what != "remotes") else { return }
        let words: [String]
        switch what {
        case "sessions": words = ((try? coordination.sessions.live()) ?? []).map(\.name)
        case "claims": words = claimedPaths(coordination)
        case "remotes": words = (try? coordination.sharing.remoteNames()) ?? []
        default: words = []
        }
        for word in Set(words).sorted() where !word.contains("\n") { print(word) }
    }

    /// Live claims (with --mine, the current session's), relative to the current folder as `release` reads them.
    private func claimedPaths(_ coordination: Coordination) -> [String] {
        var claims = ((try? coordination.claims.all()) ?? []).filter(\.isLive)
        if mine {
            let selector = SessionSelector.from(environment: ProcessInfo.processInfo.environment, named: nil)
            guard let me = coordination.sessions.current(selector, among: (try? coordination.sessions.all()) ?? []) else { return [] }
            claims = claims.filter { $0.record.session == me.id }
        }
        let here = (try? coordination.repository.relativePath(".", from: FileManager.default.currentDirectoryPath)) ?? ""
        return claims.map { Self.relative($0.record.pattern, from: here) }
    }

    /// `src/a.js` seen from `src` is `a.js`, from `docs` it is `../src/a.js`.
    static func relative(_ path: String, from folder: String) -> String {
        var from = folder.split(separator: "/").map(String.init)
        var to = path.split(separator: "/").map(String.init)
        while let first = from.first, first == to.first, to.count > 1 {
            from.removeFirst()
            to.removeFirst()
        }
        return (Array(repeating: "..", count: from.count) + to).joined(separator: "/")
    }
}
