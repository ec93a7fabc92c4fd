import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// What wakes an idle agent session (`coord.wakeOn`): direct messages to it (the default), notes too, or nothing.
public enum WakeOn: String, CaseIterable, Sendable {
    case messages, notes, none
}

/// Waking an idle agent session when something arrives for it (see docs/design.md, "Waking an idle session"):
/// what counts, and which waiting process of an agent session is the armed one.
extension Coordination {
    public static let wakeOnKey = "coord.wakeOn"

    /// `coord.wakeOn`; a value that is none of the three is `messages`, with a warning.
    public func wakeOn() -> WakeOn {
        guard let text = repository.configString(Self.wakeOnKey) else { return .messages }
        if let value = WakeOn(rawValue: text.lowercased()) { return value }
        warn("\(Self.wakeOnKey) is '\(text)', not messages, notes or none: using messages")
        return .messages
    }
}

extension TurnDelivery {
    /// The unread items that should wake `reader`'s idle agent: direct messages to it, and with `.notes` the notes
    /// of other sessions too. A peek: nothing is marked seen (delivery is `inbox(to:fit:)`, one compare-and-swap).
    public func wakeReasons(for reader: Session, on wakeOn: WakeOn) throws -> [InboxItem] {
        guard wakeOn != .none else { return [] }
        let items = try messages.unread(for: reader, cursor: try messages.cursor(of: reader)).items
        return items.filter { $0.kind == .message || wakeOn == .notes }
    }
}

/// Which of an agent session's waiting processes is the armed one: `<common dir>/coord/wake/<agent>-<agent session
/// key>` names it (its pid and a random token). A new waiter (the agent went idle again) replaces the file, and
/// any other hook of that agent session (a prompt, a tool, the end of the session) deletes it; a waiter that sees
/// its file replaced or gone stops waiting. So an agent session has at most one waiter, and none while it works.
public struct WakeArm: Sendable {
    public let folder: String
    public let path: String
    public let token: String

    public static func folder(in commonDir: String) -> String { commonDir + "/coord/wake" }

    static func fileName(kind: String, agentSessionID: String) -> String {
        kind + "-" + AgentSessionService.agentKey(agentSessionID)
    }

    public init(commonDir: String, kind: String, agentSessionID: String) {
        folder = Self.folder(in: commonDir)
        path = folder + "/" + Self.fileName(kind: kind, agentSessionID: agentSessionID)
        token = String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }

    /// The file's name in `folder`.
    public var name: String { String(path.dropFirst(folder.count + 1)) }

    private var contents: [UInt8] { Array("\(getpid()) \(token)\n".utf8) }

    /// Makes this process the armed waiter, replacing any other.
    public func arm() throws {
        do {
            try Files.writeAtomically(path, contents, mode: 0o644, durable: false)
        } catch let error as SystemError where error.isNotFound {
            try Files.makeDirectories(folder)
            try Files.writeAtomically(path, contents, mode: 0o644, durable: false)
        }
    }

    /// Whether this process is still the armed waiter.
    public var isArmed: Bool { ((try? Files.read(path, limit: 256)) ?? nil) == contents }

    /// Stops being the armed waiter (the file goes, unless another waiter replaced it meanwhile).
    public func disarm() {
        if isArmed { try? Files.remove(path) }
    }

    /// Ends the wait of whichever waiter an agent session has (it is busy again, or gone). One unlink; nothing to
    /// do when none waits.
    public static func disarm(commonDir: String, kind: String, agentSessionID: String) {
        unlink(folder(in: commonDir) + "/" + fileName(kind: kind, agentSessionID: agentSessionID))
    }

    /// Removes the folder and every file in it (`git coord init --uninstall`): each waiter then stops.
    static func removeAll(in commonDir: String) {
        let folder = folder(in: commonDir)
        for name in Files.list(folder) ?? [] { unlink(folder + "/" + name) }
        rmdir(folder)
    }
}

/// An agent's own command that starts a turn in an idle session.
public enum AgentWakeCommand {
    /// Runs an agent's own command that starts a turn in an idle session (`codex queue ...`) to its end; returns
    /// why it failed, if it did.
    public static func run(_ arguments: [String]) -> String? {
        do {
            let result = try Subprocess.run(arguments)
            if result.succeeded { return nil }
            let said = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
            return "\(arguments[0]) exited with \(result.status)\(said.isEmpty ? "" : ": " + said)"
        } catch {
            return Coordination.describe(error)
        }
    }
}
