/// Where coordination state lives. Everything is under one versioned namespace, shared by every worktree
/// (git shares all of refs/ but refs/bisect/ and refs/worktree/ between worktrees). See docs/design.md.
public enum RefLayout {
    public static let root = "refs/coord/v1/"

    /// One presence chain per session, written by that session only.
    public static let sessions = root + "sessions/"
    /// One arbiter ref per session name, so that two sessions cannot take one name at the same instant.
    public static let names = root + "names/"

    public static func session(_ id: String) -> String { sessions + id }
    public static func name(_ name: String) -> String { names + name }

    /// One arbiter ref per claimed path or pattern, named by the blob id of the normalised text:
    /// files and directories under paths/ (found by name: a path's claim ref is computed, not searched for),
    /// wildcard patterns under patterns/ (the only claims a path check has to list).
    public static let claims = root + "claims/"
    public static let pathClaims = claims + "paths/"
    public static let patternClaims = claims + "patterns/"

    public static func pathClaim(_ textHash: String) -> String { pathClaims + textHash }
    public static func patternClaim(_ textHash: String) -> String { patternClaims + textHash }

    // Agents: one arbiter ref per agent session (Claude Code's, Codex's or Gemini's own session_id),
    // naming the git-coord session it maps to, so that two hooks of one agent session can never register two.
    public static let agents = root + "agents/"
    public static func agent(_ kind: String, _ key: String) -> String { agents + kind + "/" + key }
    /// Per session: how far takeovers of its claims were delivered into its agent's context. Writer: that session.
    public static let delivered = root + "delivered/"
    public static func delivered(_ sessionID: String) -> String { delivered + sessionID }
    /// One arbiter ref per pinned finding; any session pins or unpins (a record with `removed` set).
    public static let pins = root + "pins/"
    public static func pin(_ id: String) -> String { pins + id }
    /// Per session: the other live sessions it was last told of (arrivals and departures). Writer: that session.
    public static let roster = root + "roster/"
    public static func roster(_ sessionID: String) -> String { roster + sessionID }
    /// Where `git coord sync` fetches a remote's refs/coord/v1/* to: a namespace of our own, because
    /// GitLab refuses pushes to refs/remotes/* and `git fetch --prune` deletes what it does not know there.
    public static let remotesRoot = "refs/coord-remotes/"

    public static func remoteRoot(_ remote: String) -> String { remotesRoot + remote + "/v1/" }

    /// One log per session: its notes and outgoing direct messages, written by that session only.
    public static let logs = root + "log/"
    /// One unread cursor per reader session, written by that session only (compare-and-swap).
    public static let cursors = root + "cursors/"

    public static func log(_ sessionID: String) -> String { logs + sessionID }
    public static func cursor(_ sessionID: String) -> String { cursors + sessionID }
}
