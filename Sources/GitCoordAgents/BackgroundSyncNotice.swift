import GitCoordCore

extension HookReply {
    /// Every agent hook keeps a shared remote current: it starts a background sync when one is due (and returns at
    /// once). At a turn boundary (session start, a prompt) the model is also handed what the last background sync
    /// left for a person, once, so that it can tell the user; between tool calls it is left for the next turn.
    func withBackgroundSync(_ coordination: Coordination, for event: AgentEvent) -> HookReply {
        coordination.sharing.syncInBackgroundIfDue()
        switch event.kind {
        case .sessionStart, .promptSubmit: break
        default: return self
        }
        let problem = coordination.sharing.takeBackgroundSyncProblem()
        guard !problem.isEmpty else { return self }
        var reply = self
        let notice = "git-coord: syncing with the shared git remote in the background needs a person; tell the user:\n"
            + problem.map { "  " + Display.neutralised($0) }.joined(separator: "\n")
        reply.context = [reply.context, notice].compactMap { $0 }.joined(separator: "\n\n")
        return reply
    }
}
