/// What can go wrong, in the user's terms: each case says what happened and, in `hint`, what to do next.
public enum CoordError: Error, Equatable, CustomStringConvertible {
    case notARepository(String)
    case cannotOpen(path: String, reason: String)
    case bareRepository
    case notEnabled
    case noSession(candidates: [String])
    case ambiguousSession(candidates: [String])
    case unknownSession(String, live: [String])
    case sessionEnded(String)
    case nameTaken(String, by: String)
    case invalidName(String, reason: String)
    case textTooLong(what: String, limit: Int)
    case invalidText(what: String, reason: String)
    case invalidDuration(String)
    case durationTooLong(String)
    case invalidSetting(key: String, value: String, problem: String, example: String)
    case pathOutsideRepository(String)
    case pathTooLong(String, limit: Int)
    case contention(ref: String)
    case staleLock(String)
    case git(String)
    case invalidPattern(String, reason: String)
    case hooksNotWritable(String)
    case hookInTheWay(String)
    // Agents (issue 5)
    case agentSettings(path: String, reason: String)
    // Sync (issue 6)
    case unknownRemote(String, known: [String])
    case remoteNotShared(String)
    case remoteFailed(remote: String, action: String, detail: String)
    case sessionInOtherClone(String, clone: String)
    case recipientEnded(String, live: [String])
    case messageToSelf
    case textTooLarge(what: String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .notARepository(let path):
            return "not a git repository (or any of the parent directories): \(path)"
        case .cannotOpen(let path, let reason):
            return "libgit2 cannot open the repository at \(path): \(reason)"
        case .bareRepository:
            return "this is a bare repository: sessions live in a work tree"
        case .notEnabled:
            return "coordination is not turned on for this repository"
        case .noSession(let candidates):
            return candidates.isEmpty
                ? "no live session in this worktree"
                : "no session given, and this worktree has none of its own; live sessions: \(candidates.joined(separator: ", "))"
        case .ambiguousSession(let candidates):
            return "several live sessions in this worktree: \(candidates.joined(separator: ", "))"
        case .unknownSession(let name, let live):
            let list = live.isEmpty ? "there are no live sessions" : "live sessions: \(live.joined(separator: ", "))"
            return "no session '\(name)'; \(list)"
        case .sessionEnded(let name):
            return "session '\(name)' has ended"
        case .nameTaken(let name, let holder):
            return "the name '\(name)' is used by live session \(holder)"
        case .invalidName(let name, let reason):
            return "invalid session name '\(name)': \(reason)"
        case .textTooLong(let what, let limit):
            return "\(what) is too long (at most \(limit) characters)"
        case .invalidText(let what, let reason):
            return "\(what): \(reason)"
        case .invalidDuration(let text):
            return "cannot read '\(text)' as a duration"
        case .durationTooLong(let text):
            return "'\(text)' is longer than the longest duration git-coord takes (365d)"
        case .invalidSetting(let key, let value, let problem, _):
            return "\(key) is set to '\(value)' in the git config: \(problem)"
        case .pathTooLong(let path, let limit):
            return "a path of \(path.utf8.count) bytes (\(Display.abbreviated(path))) is longer than any path git can "
                + "check out (\(limit) bytes)"
        case .pathOutsideRepository(let path):
            return "'\(path)' is outside the repository"
        case .contention(let ref):
            return "gave up updating \(ref): other writers kept changing it"
        case .staleLock(let path):
            return "\(path) is locked by another process"
        case .git(let message):
            return message
        case .agentSettings(let path, let reason):
            return "cannot use \(path): \(reason)"
        case .invalidPattern(let pattern, let reason):
            return "cannot claim '\(pattern)': \(reason)"
        case .hooksNotWritable(let path):
            return "cannot write git hooks into \(path): the folder is not writable"
        case .hookInTheWay(let path):
            return "\(path) exists already: git-coord keeps the hook it replaces there"
        case .unknownRemote(let name, let known):
            return "no remote '\(name)'" + (known.isEmpty ? "; this repository has no remotes" : "; remotes: \(known.joined(separator: ", "))")
        case .remoteNotShared(let name):
            return "coordination is not shared with remote '\(name)': nothing is sent to a remote before you opt in"
        case .remoteFailed(let remote, let action, let detail):
            return "could not \(action) '\(remote)'" + (detail.isEmpty ? "" : ": \(detail)")
        case .sessionInOtherClone(let name, let clone):
            return "session '\(name)' runs in another clone (\(clone)): only that clone writes its records"
        case .recipientEnded(let name, let live):
            let list = live.isEmpty ? "there are no live sessions" : "live sessions: \(live.joined(separator: ", "))"
            return "session '\(name)' has ended and will never read it; \(list)"
        case .messageToSelf:
            return "a session cannot send a direct message to itself"
        case .textTooLarge(let what, let bytes, let limit):
            return "\(what) is over the limit of \(limit) bytes of UTF-8"
        }
    }

    /// The next step, in the manner of git's own hints; nil when the message says it all.
    public var hint: String? {
        switch self {
        case .notARepository: return "run git coord inside a git repository, or a worktree of one"
        case .cannotOpen(_, let reason) where reason.contains("extension"):
            return "libgit2 1.5.1 supports no repository extensions but worktreeConfig; git-coord cannot work in this repository"
        case .cannotOpen: return nil
        case .bareRepository: return "add a worktree with 'git worktree add <path>' and run git coord there"
        case .notEnabled: return "turn it on with 'git coord init' (every worktree of this repository then shares it)"
        case .noSession, .ambiguousSession:
            return "name one with --session ID|NAME or GIT_COORD_SESSION, or start one with 'git coord start'"
        case .unknownSession: return "see 'git coord list --all' for every session, stale and ended ones included"
        case .recipientEnded: return "send it to a live session, or post it for everyone with 'git coord note'"
        case .messageToSelf: return "use 'git coord note' to tell every other session"
        case .textTooLarge: return "shorten it, or commit the long text to a file and note its path"
        case .sessionEnded: return "start a new one with 'git coord start'"
        case .nameTaken: return "choose another name with --name, or leave it out for a generated one"
        case .invalidName: return "use letters, digits, '.', '_' and '-' (at most 40), starting with a letter or digit"
        case .pathTooLong: return "give the path of a file in this worktree"
        case .invalidDuration, .durationTooLong: return "write " + DurationParser.forms
        case .invalidSetting(let key, _, _, let example):
            return "set it with 'git config \(key) \(example)', or remove it with 'git config --unset \(key)'"
        case .contention: return "try again"
        case .unknownRemote: return "add it with 'git remote add NAME URL', or name one of the remotes listed"
        case .remoteNotShared(let name): return "share it with 'git coord init --remote \(name)' (or 'git config remote.\(name).coord true')"
        case .sessionInOtherClone: return "act for it in its own clone, or start a session here with 'git coord start'"
        case .remoteFailed: return "local coordination state is unchanged; check the remote with 'git ls-remote REMOTE' and sync again"
        case .staleLock(let path): return "if no git-coord or git process is running, remove \(path)"
        case .invalidPattern: return "claim a path, a directory or a git pathspec such as 'src/components/**'"
        case .hooksNotWritable:
            return "make it writable, or point core.hooksPath at a folder you can write, and run 'git coord init' again"
        case .hookInTheWay(let path):
            return "move \(path) away (it is not run by git), then run 'git coord init' again"
        case .agentSettings: return "nothing was changed; fix or move that file and run the command again"
        default: return nil
        }
    }
}
