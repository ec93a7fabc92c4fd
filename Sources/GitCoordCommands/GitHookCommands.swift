import ArgumentParser
import GitCoordAgents
import GitCoordCore
import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The git hooks' handlers (`hooks/` scripts call `git-coord hook NAME`). They never get in the way of git:
/// anything that goes wrong is a one-line warning and exit 0; only strict mode's refusal exits 1.
enum GitHookRunner {
    /// `surface`: this hook's stderr reaches a person (not post-commit's and post-merge's, which run detached).
    static func run(surface: Bool = true, _ body: (Coordination) throws -> Void) throws {
        do {
            // Opened as git would (GIT_DIR, GIT_INDEX_FILE, ...): git sets them for its hooks.
            let coordination = try Coordination(requireEnabled: false)
            guard coordination.isEnabled else { return }
            // git waits for its hooks: a write that cannot land at once is left for the next event.
            coordination.store.retryBudget = RecordStore.hookRetryBudget
            defer { for warning in coordination.warnings { printError("git-coord: warning: " + Display.neutralised(warning)) } }
            defer { BackgroundSyncText.afterHook(coordination, surface: surface) }
            // The process exits right after: freeing the repository, its caches and what the hook read, one
            // object at a time, would be work for nothing (the kernel takes the memory back at once).
            keptUntilExit.append(coordination)
            // Each agent's process is looked up once in this hook, however often it lists the sessions.
            try Processes.lookingUpOnce { try body(coordination) }
        } catch let refusal as NegativeAnswer {
            throw refusal
        } catch let error as CoordError {
            printError("git-coord: warning: " + Display.neutralised(error.description))
        } catch {
            printError("git-coord: warning: \(error)")
        }
    }

    /// What a hook read, kept until the process exits (see `run`). Only the main thread appends.
    nonisolated(unsafe) static var keptUntilExit: [Any] = []

    /// From the few variables that name a session, read one by one: the whole environment as a dictionary costs
    /// more than a commit's check of a claimed file.
    static var selector: SessionSelector {
        let names = AgentKind.allCases.compactMap(\.dialect.shellSessionVariable) + [SessionSelector.exportedVariable]
        var environment: [String: String] = [:]
        for name in names { environment[name] = Environment[name] }
        return SessionSelector.from(environment: environment)
    }

    /// With a relative core.hooksPath each worktree has its own hooks folder: a worktree made after
    /// `git coord init` gets git-coord's hooks here (post-checkout after `git worktree add`, and `start`).
    /// A failure is a warning: it must never get in the way of git, nor of the session.
    static func installHooksHere(_ coordination: Coordination) {
        do {
            if try HookInstaller.installHere(coordination.repository) {
                printError("git-coord: installed git-coord's hooks in this worktree (core.hooksPath is relative)")
            }
        } catch let error as CoordError {
            printError("git-coord: warning: " + Display.neutralised(error.description) + (error.nextStep.map { "\nhint: " + TerminalHint.text($0) } ?? ""))
        } catch {
            printError("git-coord: warning: \(error)")
        }
    }
}

struct PreCommitHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pre-commit",
        abstract: "git pre-commit hook: warn when the commit changes files other live sessions are on.",
        discussion: """
        For the staged paths (both sides of renames, deletions included) it names the other live sessions \
        that claim them, touched them, or have uncommitted changes to them, with branch and task, on stderr. \
        It never refuses a commit unless coord.strict is true; then 'git commit --no-verify' bypasses it. \
        Silent when coordination is off or no other session is live.
        """
    )

    /// More lines than this would bury the commit's own output: the rest is counted.
    static let maximumLines = 20

    func run() throws { try Self.handle() }

    static func handle() throws {
        try GitHookRunner.run { coordination in
            let check = try coordination.claims.checkStaged(indexFile: Environment["GIT_INDEX_FILE"],
                                                     directory: Environment.currentDirectory,
                                                     selector: GitHookRunner.selector)
            GitHookRunner.keptUntilExit.append(check)
            guard !check.overlaps.isEmpty else { return }
            // Written at once: one system call for the whole warning, not one per line.
            var lines: [String] = []
            defer { printError(lines.joined(separator: "\n")) }
            let now = nowMillis()
            for overlap in check.overlaps.prefix(Self.maximumLines) {
                lines.append("git-coord: " + ClaimText.overlap(overlap, now: now))
            }
            if check.overlaps.count > Self.maximumLines {
                lines.append("git-coord: ... and \(check.overlaps.count - Self.maximumLines) more ('git coord check PATH' for any path)")
            }
            if check.session == nil,
               check.overlaps.contains(where: { $0.session.record.worktree == coordination.repository.workdir }) {
                lines.append("hint: several sessions share this checkout and none was named: set GIT_COORD_SESSION to "
                    + "yours, so that your own claims are not reported to you")
            }
            let names = Set(check.overlaps.map(\.session.name)).sorted().map(Display.neutralised).joined(separator: ", ")
            if coordination.isStrict {
                lines.append("hint: coord.strict is set, so this commit is refused: talk to \(names) first,")
                lines.append("hint: or commit anyway with 'git commit --no-verify'")
                throw NegativeAnswer()
            }
            lines.append("hint: \(names) \(names.contains(",") ? "are" : "is") working on these files: make sure this commit")
            lines.append("hint: does not undo their work, and tell them ('git coord list' shows where they are)")
        }
    }
}

struct PostCheckoutHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post-checkout",
        abstract: "git post-checkout hook: refresh the session's branch; warn when another session is on it.",
        discussion: """
        Runs after 'git checkout', 'git switch' and 'git worktree add'. Updates this worktree's session (its \
        branch and head), then warns when another live session works on the same branch in another \
        worktree, or shares this checkout (its files just changed under it).
        """
    )

    @Argument(help: "What git passes: the previous HEAD, the new HEAD, 1 for a branch checkout.")
    var arguments: [String] = []

    func run() throws { try Self.handle(arguments) }

    static func handle(_ arguments: [String]) throws {
        try GitHookRunner.run { coordination in
            GitHookRunner.installHooksHere(coordination)
            let sessions = try coordination.sessions.all()
            let me = coordination.sessions.current(GitHookRunner.selector, among: sessions)
            if let me, me.isLive { try coordination.sessions.update(me) }
            guard arguments.count >= 3, arguments[2] == "1" else { return }  // 0: files checked out, branch unchanged
            let branch = coordination.repository.currentBranch
            let (sameBranch, sameCheckout) = try coordination.sessions.neighbours(onBranch: branch, excluding: me)
            for other in sameBranch {
                printError("git-coord: \(Display.neutralised(other.name)) is also on branch \(Display.neutralised(branch ?? "")) "
                    + "in \(Display.neutralised(other.record.worktree))\(taskSuffix(other))")
            }
            // A session sharing this checkout that last saw another branch just had its files changed under it.
            for other in sameCheckout where other.record.branch != branch {
                printError("git-coord: \(Display.neutralised(other.name)) works in this checkout too, on "
                    + "\(SessionText.branchLabel(other.record)): its files just changed under it\(taskSuffix(other))")
            }
            if !sameBranch.isEmpty {
                printError("hint: two sessions committing to one branch from two worktrees step on each other; "
                    + "consider 'git switch -c NEW-BRANCH'")
            }
        }
    }

    private static func taskSuffix(_ session: Session) -> String {
        session.record.task.isEmpty ? "" : " (task: \(Display.neutralised(session.record.task)))"
    }
}

/// post-commit and post-merge: refresh the session's presence, so its head and uncommitted files are current
/// for the others (committed files leave its list of changed files).
struct PostCommitHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post-commit",
        abstract: "git post-commit hook: refresh the session's head and uncommitted files."
    )

    func run() throws { try PostCommitHook.refresh() }

    static func refresh() throws {
        try GitHookRunner.run(surface: false) { coordination in
            let me = coordination.sessions.current(GitHookRunner.selector, among: try coordination.sessions.all())
            if let me, me.isLive { try coordination.sessions.update(me) }
        }
    }
}

struct PostMergeHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post-merge",
        abstract: "git post-merge hook (after 'git pull' and 'git merge'): refresh the session's head and files."
    )

    @Argument(help: "What git passes: 1 for a squash merge.")
    var arguments: [String] = []

    func run() throws { try PostCommitHook.refresh() }
}

/// git runs these hooks on every commit and checkout: dispatch them straight to their handlers, without building
/// the whole command-line parser (about 2 ms of a ~10 ms budget). `--help` and anything unexpected take the
/// ordinary path.
enum GitHookFastPath {
    static func handler(for arguments: [String]) -> (() throws -> Void)? {
        guard arguments.count >= 3, arguments[1] == "hook",
              !arguments.dropFirst(2).contains(where: { $0.hasPrefix("-") }) else { return nil }
        let rest = Array(arguments.dropFirst(3))
        switch arguments[2] {
        case "pre-commit" where rest.isEmpty: return { try PreCommitHook.handle() }
        case "post-commit" where rest.isEmpty: return { try PostCommitHook.refresh() }
        case "post-merge" where rest.count <= 1: return { try PostCommitHook.refresh() }
        case "post-checkout" where rest.count <= 3: return { try PostCheckoutHook.handle(rest) }
        default: return nil
        }
    }
}
