import GitCoordCore
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// One hook call from a coding agent, from stdin bytes to an answer: parse the event in the agent's dialect,
/// decide in agent-neutral terms (`HookDecider`), render in the agent's dialect.
///
/// It never breaks the agent: a malformed or unknown event, a repository where coordination is off, or any error
/// gives an empty answer (exit 0) and a line on stderr saying why.
public enum AgentHook {
    /// Events larger than this are not read: no hook event git-coord uses comes near it.
    public static let maximumInput = 32 << 20

    public static func answer(agent: AgentKind, input: [UInt8], environment: [String: String],
                              currentDirectory: String) -> HookAnswer {
        let prefix = "git-coord hook \(agent.rawValue): "
        let dialect = agent.dialect
        let event: AgentEvent
        do {
            event = try self.event(agent: agent, input: input)
        } catch {
            return HookAnswer(diagnostics: [prefix + "ignoring the event: \(error)"])
        }
        if event.kind == .ignored {
            // A tool that edits no file is routine (a broad matcher); any other event was configured by hand.
            return HookAnswer(diagnostics: event.toolName != nil ? [] : [
                prefix + "nothing to do for \(Display.neutralised(event.nativeName)) events; ignoring it",
            ])
        }

        let directory = [dialect.projectDirectoryVariable.flatMap { environment[$0] }, event.cwd]
            .compactMap { $0 }.first(where: isDirectory) ?? currentDirectory
        do {
            let coordination = try Coordination(at: directory)
            if event.kind == .stop {
                return WakeWaiter(dialect: dialect, coordination: coordination, event: event, environment: environment,
                                  prefix: prefix).wait()
            }
            if dialect.wake != nil {
                // Any other event of the agent session means it is busy (or ending): a waiter from its last Stop stops.
                WakeArm.disarm(commonDir: coordination.repository.commonDir, kind: agent.rawValue, agentSessionID: event.agentSessionID)
            }
            // The agent waits for its hooks: a write that cannot land at once is left for the next event.
            coordination.store.retryBudget = RecordStore.hookRetryBudget
            var decider = HookDecider(dialect: dialect, coordination: coordination, event: event, environment: environment)
            // Each agent's process is looked up once in this hook, however often it lists the sessions.
            let reply = try Processes.lookingUpOnce { try decider.decide().withBackgroundSync(coordination, for: event) }
            var answer = HookAnswer(stdout: dialect.render(reply, for: event))
            answer.diagnostics = (decider.diagnostics + coordination.warnings).map { prefix + Display.neutralised($0) }
            return answer
        } catch CoordError.notEnabled {
            return HookAnswer(diagnostics: [prefix + "coordination is off in this repository; 'git coord init' turns it on"])
        } catch let error as CoordError {
            return HookAnswer(diagnostics: [prefix + Display.neutralised(error.description)])
        } catch {
            return HookAnswer(diagnostics: [prefix + Display.neutralised("\(error)")])
        }
    }

    /// Reads one event in `agent`'s dialect; an event over `maximumInput` bytes is refused unread.
    public static func event(agent: AgentKind, input: [UInt8]) throws -> AgentEvent {
        if input.count > maximumInput { throw MalformedEvent("the event is over \(maximumInput >> 20) MiB") }
        return try agent.dialect.event(from: input)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
