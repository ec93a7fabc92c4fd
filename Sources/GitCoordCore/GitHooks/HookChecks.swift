/// coord.strict: the pre-commit hook refuses commits that touch other live sessions' files.
extension Coordination {
    public static let strictKey = "coord.strict"

    public var isStrict: Bool { repository.configBool(Self.strictKey) ?? false }
}

/// What the git hooks ask of the core. Kept cheap: they run on every commit and checkout.
extension ClaimService {
    public struct StagedCheck: Sendable {
        public let session: Session?
        public let stagedPaths: Int
        public let overlaps: [Overlap]
    }

    /// The pre-commit check: other live sessions on the paths this commit changes. Returns at once, without
    /// reading the index or any claim, when no other session is live.
    public func checkStaged(indexFile: String?, directory: String, selector: SessionSelector) throws -> StagedCheck {
        let now = nowMillis()
        let all = try coordination.sessions.all(now: now)
        let me = coordination.sessions.current(selector, among: all)
        let others = all.filter { $0.isLive && $0.id != me?.id }
        guard !others.isEmpty else { return StagedCheck(session: me, stagedPaths: 0, overlaps: []) }
        let staged = try StagedPaths.list(in: repository, indexFile: indexFile, directory: directory)
        let overlaps = try overlaps(onPaths: staged, others: others, pathsAreFiles: true, now: now)
        return StagedCheck(session: me, stagedPaths: staged.count, overlaps: overlaps)
    }

    /// `others(onPaths:)` for the session `selector` names (or this worktree's only live session; with none,
    /// every live session counts), reading the sessions once.
    public func othersOn(paths: [String], selector: SessionSelector) throws -> (me: Session?, overlaps: [Overlap]) {
        let now = nowMillis()
        let all = try coordination.sessions.all(now: now)
        let me = coordination.sessions.current(selector, among: all)
        let others = all.filter { $0.isLive && $0.id != me?.id }
        return (me, try overlaps(onPaths: paths, others: others, pathsAreFiles: false, now: now))
    }
}

/// Who else works on this branch or in this checkout: what the post-checkout hook warns about.
extension SessionService {
    /// Other live sessions on `branch` in other worktrees, and other live sessions sharing this checkout.
    public func neighbours(onBranch branch: String?, excluding me: Session?) throws -> (sameBranch: [Session], sameCheckout: [Session]) {
        let live = try all().filter { $0.isLive && $0.id != me?.id }
        let here = repository.workdir
        let sameBranch = branch.map { branch in live.filter { $0.record.branch == branch && $0.record.worktree != here } } ?? []
        return (sameBranch, live.filter { $0.record.worktree == here })
    }
}
