import GitCoordCore

/// The next steps of errors, in the command line's words (git's manner: `hint: ...`).
enum TerminalHint {
    static func text(_ step: NextStep) -> String {
        switch step {
        case .runInsideARepository: return "run git coord inside a git repository, or a worktree of one"
        case .cannotWorkHere:
            return "libgit2 1.5.1 supports no repository extensions but worktreeConfig; git-coord cannot work in this repository"
        case .useAWorktree: return "add a worktree with 'git worktree add <path>' and run git coord there"
        case .turnOnCoordination: return "turn it on with 'git coord init' (every worktree of this repository then shares it)"
        case .nameOrStartASession:
            return "name one with --session ID|NAME or GIT_COORD_SESSION, or start one with 'git coord start'"
        case .seeAllSessions: return "see 'git coord list --all' for every session, stale and ended ones included"
        case .sendToALiveSessionOrNote: return "send it to a live session, or post it for everyone with 'git coord note'"
        case .noteEveryone: return "use 'git coord note' to tell every other session"
        case .shortenText: return "shorten it, or commit the long text to a file and note its path"
        case .startASession: return "start a session here with 'git coord start'"
        case .chooseAName: return "choose another name with --name, or leave it out for a generated one"
        case .useASafeName: return "use letters, digits, '.', '_' and '-' (at most 40), starting with a letter or digit"
        case .writeADuration: return "write " + DurationParser.forms
        case .tryAgain: return "try again"
        case .addOrNameARemote: return "add it with 'git remote add NAME URL', or name one of the remotes listed"
        case .shareWithRemote(let name): return "share it with 'git coord init --remote \(name)' (or 'git config remote.\(name).coord true')"
        case .checkTheRemote:
            return "local coordination state is unchanged; check the remote with 'git ls-remote REMOTE' and sync again"
        case .removeAnIdleLock(let path): return "if no git-coord or git process is running, remove \(path)"
        case .claimAPathOrPattern: return "claim a path, a directory or a git pathspec such as 'src/components/**'"
        case .makeTheHooksFolderWritable:
            return "make it writable, or point core.hooksPath at a folder you can write, and run 'git coord init' again"
        case .moveAsideAndInitAgain(let path): return "move \(path) away (it is not run by git), then run 'git coord init' again"
        case .fixTheSettingsFile: return "nothing was changed; fix or move that file and run the command again"
        case .seePins: return "see 'git coord pins' for the pins and their ids (at least 4 characters of one)"
        case .giveAPathInTheWorktree: return "give the path of a file in this worktree"
        case .fixTheSetting(let key, let example): return "set it with 'git config \(key) \(example)', or remove it with 'git config --unset \(key)'"
        }
    }
}
