import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// Tells when a repository's coordination refs change, without polling: inotify on every folder under
/// `refs/coord/` and on the git folder itself (for `packed-refs`), in the common git folder all worktrees share.
///
/// - libgit2 (and git) write a loose ref as `<ref>.lock`, then rename it over `<ref>`: the rename is the change
///   (`IN_MOVED_TO`); lock files are never reported. A deleted ref is `IN_DELETE`.
/// - A ref folder that did not exist yet (the first log, the first claim) is created by the writer: the new folder
///   is watched from then on, and the refs already in it are reported, since they may have landed before the watch.
/// - `git pack-refs --all` moves loose refs into `packed-refs` (written as `packed-refs.lock`, then renamed) and
///   deletes the loose files, and empty folders with them; a folder deleted and made again is watched again
///   through its parent (`refs/` itself watches for `coord` coming back).
/// - When the kernel's queue overflows, everything is reported as changed and the folders are watched anew.
///
/// The descriptor is for `poll` beside others; `changes()` reads what happened since the last call. One more folder
/// (`alsoWatching`) may be watched with it, its changes reported by file name: one inotify instance per watcher, of
/// the 128 the kernel allows a user by default.
public final class RefWatcher {
    public let commonDir: String
    private let inotify: Inotify
    /// Watched folders, relative to the common dir ("", "refs", "refs/coord", "refs/coord/v1/log", ...).
    private var folders: [Int32: String] = [:]
    /// The other folder, by absolute path, and its watch (nil once it is gone).
    private let extraFolder: String?
    private var extraWatch: Int32?

    /// The ref namespace watched in full.
    public static let watchedRoot = "refs/coord"

    private static let folderMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ONLYDIR)

    public init(commonDir: String, alsoWatching extraFolder: String? = nil) throws {
        self.commonDir = commonDir
        self.extraFolder = extraFolder
        inotify = try Inotify()
        try watchAll()
    }

    public convenience init(_ repository: Repository, alsoWatching extraFolder: String? = nil) throws {
        try self.init(commonDir: repository.commonDir, alsoWatching: extraFolder)
    }

    /// Readable (`POLLIN`) when something happened; `changes()` says what.
    public var descriptor: Int32 { inotify.descriptor }

    /// What changed since the last call (empty when nothing did).
    public func changes() throws -> RefChanges {
        var result = RefChanges()
        for event in try inotify.read() {
            if event.overflowed {
                result.everything = true
                try watchAll()
                continue
            }
            if event.watch == extraWatch {
                if event.watchEnded { extraWatch = nil }
                result.files.insert(event.name)
                continue
            }
            guard let folder = folders[event.watch] else { continue }
            if event.watchEnded {
                folders[event.watch] = nil
                continue
            }
            if event.name.isEmpty || event.name.hasSuffix(".lock") { continue }
            switch folder {
            case "":
                if event.name == "packed-refs" { result.packedRefs = true }
            case "refs":
                if event.name == "coord", event.isDirectory { result.refs.formUnion(try watchTree("refs/coord")) }
            default:
                let path = folder + "/" + event.name
                if event.isDirectory {
                    if event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { result.refs.formUnion(try watchTree(path)) }
                } else if event.mask & UInt32(IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_CREATE) != 0 {
                    result.refs.insert(path)
                }
            }
        }
        return result
    }

    // MARK: Watches

    private func watchAll() throws {
        for watch in folders.keys { inotify.remove(watch) }
        folders = [:]
        if let extraFolder, extraWatch == nil {
            extraWatch = try inotify.add(extraFolder, mask: UInt32(IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE
                                                                      | IN_DELETE_SELF | IN_ONLYDIR))
        }
        try add("", mask: UInt32(IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_CLOSE_WRITE | IN_ONLYDIR))
        try add("refs", mask: UInt32(IN_CREATE | IN_MOVED_TO | IN_ONLYDIR))
        _ = try watchTree(Self.watchedRoot)
    }

    /// Watches `folder` and every folder below it; returns the refs found in them.
    private func watchTree(_ folder: String) throws -> Set<String> {
        guard try add(folder, mask: Self.folderMask) else { return [] }
        var refs = Set<String>()
        for name in Files.list(commonDir + "/" + folder) ?? [] where !name.hasSuffix(".lock") {
            let path = folder + "/" + name
            if Files.status(commonDir + "/" + path)?.isDirectory == true {
                refs.formUnion(try watchTree(path))
            } else {
                refs.insert(path)
            }
        }
        return refs
    }

    @discardableResult
    private func add(_ folder: String, mask: UInt32) throws -> Bool {
        let path = folder.isEmpty ? commonDir : commonDir + "/" + folder
        guard let watch = try inotify.add(path, mask: mask) else { return false }
        folders[watch] = folder
        return true
    }
}

/// What changed among the coordination refs between two looks.
public struct RefChanges: Sendable, Equatable {
    /// Refs (or folders of refs) whose loose file was written, renamed or deleted ("refs/coord/v1/log/46ab0b2c37ce").
    public var refs: Set<String> = []
    /// `packed-refs` was rewritten: any ref may have moved (or been packed).
    public var packedRefs = false
    /// Events were lost: anything may have changed.
    public var everything = false
    /// Names of the files that changed in the other folder watched ("" for the folder itself: it is gone).
    public var files: Set<String> = []

    public init() {}

    public var isEmpty: Bool { refs.isEmpty && !packedRefs && !everything && files.isEmpty }

    /// Whether a ref under `prefix` ("refs/coord/v1/log/") may have changed.
    public func mayTouch(_ prefix: String) -> Bool {
        everything || packedRefs || refs.contains { $0.hasPrefix(prefix) || prefix.hasPrefix($0 + "/") }
    }
}
