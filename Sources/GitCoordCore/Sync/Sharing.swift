import CLibGit2

/// Which remotes coordination is shared with. Opt-in per remote: `remote.<name>.coord = true` (set by
/// `git coord init --remote NAME`). Until then sync refuses to send anything, so nothing leaves the machine.
public struct SharingService: CoordinationService {
    public let coordination: Coordination

    public static let defaultRemoteKey = "coord.remote"

    static func shareKey(_ remote: String) -> String { "remote.\(remote).coord" }

    /// The remote `git coord sync` uses when none is named: coord.remote, else origin.
    public var defaultRemote: String { repository.configString(Self.defaultRemoteKey) ?? "origin" }

    public func isShared(with remote: String) -> Bool { repository.configBool(Self.shareKey(remote)) ?? false }

    /// The repository's configured remotes, read by libgit2 from the config.
    public func remoteNames() throws -> [String] {
        var names = git_strarray()
        try check(git_remote_list(&names, repository.pointer), "list remotes")
        defer { git_strarray_dispose(&names) }
        return (0..<names.count).compactMap { names.strings[$0].map { String(cString: $0) } }
    }

    /// Turns sharing with `remote` on or off. The first remote shared becomes the default one for sync.
    public func setShared(_ shared: Bool, with remote: String) throws {
        try requireRemote(remote)
        try repository.setConfig(Self.shareKey(remote), to: shared ? "true" : nil)
        if shared && repository.configString(Self.defaultRemoteKey) == nil {
            try repository.setConfig(Self.defaultRemoteKey, to: remote)
        } else if !shared && repository.configString(Self.defaultRemoteKey) == remote {
            try repository.setConfig(Self.defaultRemoteKey, to: nil)
        }
    }

    /// Throws unless `remote` is a configured remote that coordination is shared with.
    public func requireSharedRemote(_ remote: String) throws {
        try requireRemote(remote)
        guard isShared(with: remote) else { throw CoordError.remoteNotShared(remote) }
    }

    func requireRemote(_ remote: String) throws {
        let known = try remoteNames()
        guard known.contains(remote) else { throw CoordError.unknownRemote(remote, known: known) }
    }
}

extension Coordination {
    /// This clone's id if it has one yet (nil before the first record is written); never generates one.
    public var cloneID: String? { repository.configString(CloneIdentity.configKey) }
}

extension Session {
    /// True for sessions of this clone, and for records that name no clone: those were written before clone ids
    /// existed, so here (sync takes no session record without a clone id from a remote).
    public func isFromThisClone(_ cloneID: String?) -> Bool {
        guard let clone = record.clone, let cloneID else { return true }
        return clone == cloneID
    }
}
