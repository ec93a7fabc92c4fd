import GitCoordCore

/// The next steps of errors, in the words of the MCP tools: their arguments and tool names, never command-line
/// flags, which a model calling a tool cannot pass.
enum ToolHint {
    static func text(_ step: NextStep) -> String {
        switch step {
        case .nameOrStartASession:
            return "pass the `session` argument: your session's id (your SessionStart context names it) or name, from list_sessions"
        case .seeAllSessions: return "call list_sessions with all: true to see every session, stale and ended ones included"
        case .sendToALiveSessionOrNote: return "send it to a live session (list_sessions), or post it for everyone with the note tool"
        case .noteEveryone: return "use the note tool to tell every other session"
        case .startASession:
            return "this agent session has no git-coord session of its own here: its SessionStart hook makes one (git coord install)"
        case .writeADuration: return "give ttl as a number and a unit: 90s, 15m, 2h, 1d"
        case .claimAPathOrPattern: return "give paths as files, directories or git pathspecs such as 'src/components/**'"
        case .tryAgain: return "call the tool again"
        case .shortenText: return "shorten it, or commit the long text to a file and note its path"
        case .chooseAName, .useASafeName: return "use letters, digits, '.', '_' and '-' (at most 40), starting with a letter or digit"
        // What only the user can do: the model is told to ask, with the command the user would run.
        case .runInsideARepository: return "the server runs outside a git repository: ask the user to start the agent inside one"
        case .cannotWorkHere: return "git-coord cannot work in this repository (libgit2 1.5.1 cannot read its format): tell the user"
        case .useAWorktree: return "ask the user to add a worktree ('git worktree add <path>') and start the agent there"
        case .turnOnCoordination: return "ask the user to run 'git coord init' in this repository"
        case .addOrNameARemote, .shareWithRemote, .checkTheRemote:
            return "remotes are the user's to set up: tell the user what failed ('git coord sync' shows it)"
        case .removeAnIdleLock(let path): return "ask the user to remove \(path) if no git-coord or git process is running"
        case .seePins: return "call pins for the pins and their ids (at least 4 characters of one)"
        case .makeTheHooksFolderWritable, .moveAsideAndInitAgain, .fixTheSettingsFile:
            return "this needs the user: tell them what the error says"
        case .giveAPathInTheWorktree: return "give the path of a file in this worktree"
        case .fixTheSetting(let key, let example): return "ask the user to run 'git config \(key) \(example)'"
        }
    }
}
