/// What can go wrong, in the user's terms: each case says what happened and, in `nextStep`, what to do next.
///
/// The core knows nothing of the surfaces that show its errors: a next step is an intent ("name the session"),
/// and each surface words it in its own terms (the command line says `--session`, the MCP server its `session`
/// argument). See the Commands layer's `TerminalHint` and the MCP server's `ToolHint`.
public enum CoordError: Error, Equatable, CustomStringConvertible {
    case notARepository(String)
    case cannotOpen(path: String, reason: String)
    /// The repository uses a format extension libgit2 1.5.1 cannot read (objectFormat=sha256, refStorage=reftable).
    case unsupportedRepository(path: String, reason: String)
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
    // Agents
    case agentSettings(path: String, reason: String)
    // Sync
    case unknownRemote(String, known: [String])
    case remoteNotShared(String)
    case remoteFailed(remote: String, action: String, detail: String)
    case sessionInOtherClone(String, clone: String)
    case recipientEnded(String, live: [String])
    case messageToSelf
    case textTooLarge(what: String, bytes: Int, limit: Int)
    /// A freshly drawn session id exists already (48 random bits: practically never).
    case sessionIDTaken(String)
    /// Every generated name is held by a live session.
    case noFreeName
    /// The operating system refused something that is not git's business: running a program, a file, a lock.
    case system(what: String, reason: String)
    /// No session of that name or id (or prefix) to send to; `closest` are the live names nearest to it.
    case unknownRecipient(String, closest: [String], live: [String])
    /// Several live sessions start with what was given.
    case ambiguousRecipient(String, matching: [String])
    /// No pin, or several, have this id (prefix).
    case unknownPin(String, matching: [String])

    public var description: String {
        switch self {
        case .notARepository(let path):
            return "not a git repository (or any of the parent directories): \(path)"
        case .cannotOpen(let path, let reason):
            return "libgit2 cannot open the repository at \(path): \(reason)"
        case .unsupportedRepository(let path, let reason):
            return "libgit2 1.5.1 cannot read the repository at \(path): \(reason)"
        case .sessionIDTaken(let id):
            return "session id \(id) exists already"
        case .noFreeName:
            return "could not find a free session name"
        case .system(let what, let reason):
            return "cannot \(what): \(reason)"
        case .unknownRecipient(let name, let closest, let live):
            let guess = closest.isEmpty ? "" : "; did you mean " + closest.map { "'\($0)'" }.joined(separator: " or ") + "?"
            let list = live.isEmpty ? "there are no live sessions" : "live sessions: \(live.joined(separator: ", "))"
            return "no session '\(name)'\(guess) (\(list))"
        case .ambiguousRecipient(let name, let matching):
            return "'\(name)' could be any of \(matching.joined(separator: ", ")): give more of the name"
        case .unknownPin(let id, let matching):
            return matching.isEmpty ? "no pin '\(id)'" : "'\(id)' names several pins: \(matching.joined(separator: ", "))"
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

    /// What to do next, as an intent each surface words in its own terms; nil when the message says it all.
    public var nextStep: NextStep? {
        switch self {
        case .notARepository: return .runInsideARepository
        case .unsupportedRepository: return .cannotWorkHere
        case .cannotOpen: return nil
        case .bareRepository: return .useAWorktree
        case .notEnabled: return .turnOnCoordination
        case .noSession, .ambiguousSession: return .nameOrStartASession
        case .unknownSession: return .seeAllSessions
        case .recipientEnded: return .sendToALiveSessionOrNote
        case .messageToSelf: return .noteEveryone
        case .textTooLarge: return .shortenText
        case .sessionEnded, .sessionInOtherClone: return .startASession
        case .nameTaken, .noFreeName: return .chooseAName
        case .invalidName: return .useASafeName
        case .invalidDuration, .durationTooLong: return .writeADuration
        case .pathTooLong: return .giveAPathInTheWorktree
        case .invalidSetting(let key, _, _, let example): return .fixTheSetting(key: key, example: example)
        case .contention, .sessionIDTaken: return .tryAgain
        case .unknownRemote: return .addOrNameARemote
        case .remoteNotShared(let name): return .shareWithRemote(name)
        case .remoteFailed: return .checkTheRemote
        case .staleLock(let path): return .removeAnIdleLock(path)
        case .invalidPattern: return .claimAPathOrPattern
        case .hooksNotWritable: return .makeTheHooksFolderWritable
        case .hookInTheWay(let path): return .moveAsideAndInitAgain(path)
        case .agentSettings: return .fixTheSettingsFile
        case .unknownPin: return .seePins
        case .unknownRecipient: return .seeAllSessions
        default: return nil
        }
    }
}

/// What to do after an error, independent of where it is shown. Each surface says it in its own words.
public enum NextStep: Equatable, Sendable {
    case runInsideARepository
    case cannotWorkHere
    case useAWorktree
    case turnOnCoordination
    /// Say which session (by id or name), or start one.
    case nameOrStartASession
    case seeAllSessions
    case sendToALiveSessionOrNote
    case noteEveryone
    case shortenText
    case startASession
    case chooseAName
    case useASafeName
    case writeADuration
    case tryAgain
    case addOrNameARemote
    case shareWithRemote(String)
    case checkTheRemote
    case removeAnIdleLock(String)
    case claimAPathOrPattern
    case makeTheHooksFolderWritable
    case moveAsideAndInitAgain(String)
    case fixTheSettingsFile
    case giveAPathInTheWorktree
    /// A git config key holds a value git-coord cannot use: set it to `example`, or remove it.
    case fixTheSetting(key: String, example: String)
    case seePins
}
