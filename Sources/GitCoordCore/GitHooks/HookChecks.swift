/// What the git hooks ask of the core. Kept cheap: they run on every commit and checkout.
extension Coordination {
    public static let strictKey = "coord.strict"

    /// coord.strict: the pre-commit hook refuses commits that touch other live sessions' files.
    public var isStrict: Bool { repository.configBool(Self.strictKey) ?? false }

    /// The session a hook runs for, without failing: the one `selector` names ($GIT_COORD_SESSION), else this
    /// worktree's only live session, else none (several sessions share this checkout and none was named).
    public func hookSession(selector: String?, among sessions: [Session]) -> Session? {
        if let selector, !selector.isEmpty {
            return sessions.first { $0.id == selector } ?? sessions.first { $0.name == selector && $0.isLive }
        }
        let here = sessions.filter { $0.isLive && $0.record.worktree == repository.workdir }
        return here.count == 1 ? here[0] : nil
    }

    public struct StagedCheck: Sendable {
        public let session: Session?
        public let stagedPaths: Int
        public let overlaps: [Overlap]
    }

    /// The pre-commit check: other live sessions on the paths this commit changes. Returns at once, without
    /// reading the index or any claim, when no other session is live.
    public func checkStaged(indexFile: String?, directory: String, selector: String?) throws -> StagedCheck {
        let now = nowMillis()
        let all = try sessions(now: now)
        let me = hookSession(selector: selector, among: all)
        let others = all.filter { $0.isLive && $0.id != me?.id }
        guard !others.isEmpty else { return StagedCheck(session: me, stagedPaths: 0, overlaps: []) }
        let staged = try StagedPaths.list(in: repository, indexFile: indexFile, directory: directory)
        let overlaps = try overlaps(onPaths: staged, others: others, pathsAreFiles: true, now: now)
        return StagedCheck(session: me, stagedPaths: staged.count, overlaps: overlaps)
    }

    /// `others(onPaths:)` for the session `selector` names (or this worktree's only live session; with none,
    /// every live session counts), reading the sessions once.
    public func othersOn(paths: [String], selector: String?) throws -> (me: Session?, overlaps: [Overlap]) {
        let now = nowMillis()
        let all = try sessions(now: now)
        let me = hookSession(selector: selector, among: all)
        let others = all.filter { $0.isLive && $0.id != me?.id }
        return (me, try overlaps(onPaths: paths, others: others, pathsAreFiles: false, now: now))
    }

    /// Other live sessions on `branch` in other worktrees, and other live sessions sharing this checkout.
    public func neighbours(onBranch branch: String?, excluding me: Session?) throws -> (sameBranch: [Session], sameCheckout: [Session]) {
        let live = try sessions().filter { $0.isLive && $0.id != me?.id }
        let here = repository.workdir
        let sameBranch = branch.map { branch in live.filter { $0.record.branch == branch && $0.record.worktree != here } } ?? []
        return (sameBranch, live.filter { $0.record.worktree == here })
    }
}
