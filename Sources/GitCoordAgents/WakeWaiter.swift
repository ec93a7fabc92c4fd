import GitCoordCore
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// The Stop hook of an agent that can be woken: it stays while the session idles, sleeping in the kernel on the
/// coordination refs (inotify, `RefWatcher`), and wakes the agent when a direct message (or, with
/// `coord.wakeOn=notes`, a note) arrives. See docs/design.md, "Waking an idle session".
///
/// - Only where waking works: the agent's dialect names the process it serves (`wakeHost`); a one-shot run, or a
///   host that cannot start a turn, gets an empty answer at once.
/// - Exactly once: Claude Code's waiter delivers through `TurnDelivery.inbox(to:fit:)` (the compare-and-swap of the unread cursor
///   every hook uses) and exits 2 with the text; Codex's starts a turn with a nudge carrying no text of another
///   session, and that turn's prompt hook delivers.
/// - Never outliving its session: it leaves when the agent process exits (a pidfd, so even after SIGKILL of the
///   agent), when its parent dies (PR_SET_PDEATHSIG), when the agent's input ends, when any other hook of the agent
///   session runs or a newer waiter replaces it (`WakeArm`), when the session ends, and before the hook's timeout.
struct WakeWaiter {
    let dialect: any AgentDialect
    let coordination: Coordination
    let event: AgentEvent
    let environment: [String: String]
    let prefix: String

    /// How long a burst of input to the agent (its host writing to it) silences that descriptor: it stays readable
    /// until the agent reads it.
    static let inputQuiet = 0.1
    /// The waiter leaves this long before the agent's timeout would kill it.
    static let timeoutMargin = 30.0

    func wait() -> HookAnswer {
        guard let means = dialect.wake,
              let host = dialect.wakeHost(environment: environment, ancestors: ProcessEntry.ancestors()) else { return HookAnswer() }
        let wakeOn = coordination.wakeOn()
        do {
            guard wakeOn != .none,
                  let session = try coordination.agentSessions.find(kind: dialect.kind.rawValue, agentSessionID: event.agentSessionID),
                  session.state != .ended else { return finish() }
            return try wait(for: session, host: host, means: means, wakeOn: wakeOn)
        } catch {
            return finish([Coordination.describe(error)])
        }
    }

    private func wait(for session: Session, host: WakeHost, means: WakeMeans, wakeOn: WakeOn) throws -> HookAnswer {
        _ = exitWithParent()
        guard let agentExit = ProcessExit(pid: host.pid), !agentExit.hasExited else { return finish() }
        let arm = WakeArm(commonDir: coordination.repository.commonDir, kind: dialect.kind.rawValue,
                          agentSessionID: event.agentSessionID)
        try arm.arm()
        defer { arm.disarm() }
        let refs = try RefWatcher(coordination.repository, alsoWatching: arm.folder)
        let input = host.input.map { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC) } ?? -1
        defer { if input >= 0 { close(input) } }

        let deadline = monotonicSeconds() + max(1, Double(dialect.stopHookTimeout) - Self.timeoutMargin)
        let ownRecord = RefLayout.session(session.id)
        var inputQuietUntil = 0.0
        var look = true
        while true {
            if look {
                guard arm.isArmed, let current = try coordination.sessions.find(id: session.id), current.state != .ended else {
                    return finish()
                }
                let reasons = try coordination.delivery.wakeReasons(for: current, on: wakeOn)
                if !reasons.isEmpty, let answer = try wake(current, for: reasons, host: host, means: means) {
                    return answer
                }
            }
            let now = monotonicSeconds()
            guard now < deadline else { return finish() }
            var watched: [(fd: Int32, events: Int16)] = [(refs.descriptor, Int16(POLLIN)), (agentExit.descriptor, Int16(POLLIN))]
            let watchingInput = input >= 0 && now >= inputQuietUntil
            if watchingInput { watched.append((input, Int16(POLLIN))) }
            let timeout = min(deadline, input >= 0 && !watchingInput ? inputQuietUntil : deadline) - now
            let ready = waitForEvents(watched, timeout: timeout)
            if ready[1] != 0 { return finish() }
            if watchingInput, ready[2] != 0 {
                if ready[2] & Int16(POLLHUP | POLLERR) != 0 { return finish() }
                inputQuietUntil = monotonicSeconds() + Self.inputQuiet
            }
            let changes = try refs.changes()
            look = changes.mayTouch(RefLayout.logs) || changes.mayTouch(ownRecord)
                || changes.files.contains(arm.name) || changes.files.contains("")
        }
    }

    /// Wakes the agent for `reasons` (not empty); nil when there turned out to be nothing to deliver (another hook of
    /// the session, or `git coord inbox`, took it first), and the wait goes on.
    private func wake(_ session: Session, for reasons: [InboxItem], host: WakeHost, means: WakeMeans) throws -> HookAnswer? {
        switch means {
        case .exitWithDelivery:
            let decider = HookDecider(dialect: dialect, coordination: coordination, event: event, environment: environment)
            guard let text = try decider.delivery(for: session, sessions: nil, budget: dialect.contextLimit, takeovers: false),
                  !text.isEmpty else { return nil }
            return HookAnswer(wake: text)
        case .nudge:
            let what = reasons.contains { $0.kind == .message } ? "A direct message" : "A note"
            let nudge = "git-coord: \(what) from another session on this repository arrived while this session was idle; "
                + "it is in the context of this turn. (This prompt comes from git-coord, not from the user.)"
            guard let command = dialect.nudgeCommand(host: host, agentSessionID: event.agentSessionID, text: nudge) else {
                return finish(["cannot start a turn: \(dialect.displayName)'s executable is unknown"])
            }
            return finish(AgentWakeCommand.run(command).map { ["could not wake the session: " + $0] } ?? [])
        }
    }

    private func finish(_ problems: [String] = []) -> HookAnswer {
        HookAnswer(diagnostics: (problems + coordination.warnings).map { prefix + Display.neutralised($0) })
    }
}

/// Seconds on a clock that never jumps (the wait's deadline must not move with the wall clock).
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
