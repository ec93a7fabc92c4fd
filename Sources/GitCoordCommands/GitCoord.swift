import ArgumentParser
import GitCoordAgents
import GitCoordCore
import GitCoordVersion
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// The root command: `git coord <subcommand>`.
public struct GitCoord: ParsableCommand {
    public static let configuration = CommandConfiguration(
        // Run as `git coord`: usage lines and hints read `git coord list`, `git coord help list`.
        commandName: "git coord",
        abstract: "Make coding-agent sessions on one repository aware of each other, through git itself.",
        discussion: """
        Sessions, presence, notes and claims live as git objects under
        refs/coord/, shared by every worktree of the repository. Nothing
        leaves the machine until you share a remote (git coord init --remote);
        then the hooks keep it current in the background.

        Start here:
          git coord init        # opt in, for every worktree of this repository
          export GIT_COORD_SESSION=$(git coord start --task "Restyle the sidebar")
          git coord list        # who else is at work, where, on what

        Exit status: 0 success; 1 a negative answer (someone else is on that
        file); 64 a usage error; 128 a fatal error, with a hint saying what to do.
        """,
        version: GitCoordVersion.current,
        subcommands: [
            // Presence
            Init.self, Start.self, List.self, Worktrees.self,
            SetTask.self, Touch.self, Heartbeat.self, Stop.self,
            // Notes and messages
            Note.self, Send.self, Inbox.self, Feed.self, Pin.self, Pins.self, Unpin.self, GC.self,
            // Claims
            ClaimCommand.self, Release.self, Claims.self, Check.self,
            // Other clones
            Sync.self,
            // Repair
            DoctorCommand.self,
            // Agents and git
            Install.self, MCPCommand.self, Hook.self,
            // Watching
            Watch.self,
            // Hidden: words for the completion scripts
            Complete.self,
        ]
    )

    public init() {}

    /// Parses the command line, runs the command and exits with git's conventions for failures.
    public static func runAndExit() -> Never {
        // /proc/self/exe rather than its path: it still runs when the binary was replaced since this one started.
        StorePacker.launcher = { StorePacker.startInBackground(executable: "/proc/self/exe", commonDir: $0) }
        if let agent = AgentHookEntry.agent(for: CommandLine.arguments) {  // the agents' hot path
            Glibc.exit(AgentHookEntry.answer(agent))
        }
        do {
            if let run = GitHookFastPath.handler(for: CommandLine.arguments) ?? List.fastPath(for: CommandLine.arguments) {
                try run()
                Glibc.exit(0)
            }
            var command: ParsableCommand
            do {
                command = try parseAsRoot()
            } catch {
                exitForUsage(error)
            }
            try command.run()
            Glibc.exit(0)
        } catch let error as CoordError {
            fail(error.description, hint: error.nextStep.map(TerminalHint.text))
        } catch let error as GitError {
            fail(error.description, hint: error.isReadOnly ? readOnlyHint() : nil)
        } catch let error as NegativeAnswer {
            Glibc.exit(error.code)
        } catch {
            exit(withError: error)
        }
    }

    /// A command line that does not parse: ArgumentParser's message (or help, or version), with a suggestion for a
    /// mistyped word; exit 64 for a mistake.
    static func exitForUsage(_ error: Error) -> Never {
        let code = exitCode(for: error)
        guard code != .success else { exit(withError: error) }  // --help, --version
        printError(UsageHints.message(for: error, arguments: Array(CommandLine.arguments.dropFirst())))
        Glibc.exit(code.rawValue)
    }

    /// A refused write: inside an agent's sandbox, that agent's way out; else the plain fact.
    static func readOnlyHint() -> String {
        let environment = Environment.all
        return AgentKind.running(in: environment)?.dialect.sandboxHint(environment: environment)
            ?? "the repository's git folder is read-only to this process; run git coord where it may write"
    }

    static func fail(_ message: String, hint: String?) -> Never {
        printError("fatal: " + Display.neutralised(message))
        if let hint { printError("hint: " + hint) }
        Glibc.exit(128)
    }
}

/// Thrown by a command whose answer is "no" (exit 1), after it has printed why.
struct NegativeAnswer: Error {
    var code: Int32 = 1
}

func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}
