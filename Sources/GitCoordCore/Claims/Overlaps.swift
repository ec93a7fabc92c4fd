#if canImport(Glibc)
import Glibc
#endif

/// Another live session on a path: by a claim, or by having the file among its touched or uncommitted files.
public struct Overlap: Sendable {
    public enum Reason: Sendable {
        case claim(Claim)
        /// Named by `git coord touch` or an agent's edit hook.
        case touched(at: Millis)
        /// Uncommitted changes in the session's own worktree.
        case changed(at: Millis)
    }

    /// The path asked about, repository-relative.
    public let path: String
    public let session: Session
    public let reason: Reason
}

extension Coordination {
    /// The other live sessions on `path` (repository-relative; a directory means anything below it): what the
    /// agents' PreToolUse hooks and `git coord check` ask before a file is written.
    public func others(onPath path: String, excluding sessionID: String?) throws -> [Overlap] {
        try others(onPaths: [path], excluding: sessionID, pathsAreFiles: false)
    }

    /// The same for many paths at once (`check`, the pre-commit hook's staged files): claims and files are
    /// indexed once. `pathsAreFiles` skips asking the file system whether each path is a folder (staged paths
    /// are files; a directory claim still covers them through their folders).
    public func others(onPaths paths: [String], excluding sessionID: String?, pathsAreFiles: Bool,
                       now: Millis = nowMillis()) throws -> [Overlap] {
        let live = try sessions(now: now).filter { $0.isLive && $0.id != sessionID }
        return try overlaps(onPaths: paths, others: live, pathsAreFiles: pathsAreFiles, now: now)
    }

    func overlaps(onPaths paths: [String], others live: [Session], pathsAreFiles: Bool, now: Millis) throws -> [Overlap] {
        guard !live.isEmpty, !paths.isEmpty else { return [] }
        let index = try OverlapIndex(coordination: self, others: live, now: now)
        return paths.flatMap { index.overlaps(on: $0, isDirectory: !pathsAreFiles && index.isDirectory($0)) }
    }
}

/// Claims and files of the other live sessions, indexed so that each path is looked up, not compared with
/// every claim: file and directory claims by path (a path and each of its folders), patterns one by one.
struct OverlapIndex {
    private var literalClaims: [String: [Claim]] = [:]
    private var patternClaims: [(Claim, ClaimMatcher)] = []
    private var files: [String: [(Session, Overlap.Reason)]] = [:]
    private let workdir: String?

    init(coordination: Coordination, others: [Session], now: Millis) throws {
        workdir = coordination.repository.workdir
        let byID = Dictionary(others.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for claim in try ClaimBook().claims(in: coordination, sessions: byID, now: now) where claim.isLive {
            switch claim.pattern.kind {
            case .file, .directory: literalClaims[claim.pattern.text, default: []].append(claim)
            case .pattern: patternClaims.append((claim, ClaimMatcher(claim.pattern)))
            }
        }
        for session in others {
            for file in session.record.touched { files[file.path, default: []].append((session, .touched(at: file.at))) }
            // A session in this same checkout has our uncommitted changes as its own: they say nothing about it.
            guard session.record.worktree != workdir else { continue }
            for file in session.record.changed { files[file.path, default: []].append((session, .changed(at: file.at))) }
        }
    }

    func overlaps(on path: String, isDirectory: Bool) -> [Overlap] {
        var found: [Overlap] = []
        // A claim on the path itself, on one of its folders, or (when the path is a folder) below it.
        var folder = Substring(path)
        var candidates: [String] = [path, ""]
        while let slash = folder.lastIndex(of: "/") {
            folder = folder[..<slash]
            candidates.append(String(folder))
        }
        var seen = Set<String>()
        for key in candidates where seen.insert(key).inserted {
            found += (literalClaims[key] ?? []).map { Overlap(path: path, session: $0.holder!, reason: .claim($0)) }
        }
        let query = ClaimMatcher(ClaimPattern(text: path, kind: isDirectory ? .directory : .file))
        if query.pattern.kind == .directory {
            for (text, claims) in literalClaims where !seen.contains(text) && ClaimMatcher.isSameOrBelow(text, path) {
                found += claims.map { Overlap(path: path, session: $0.holder!, reason: .claim($0)) }
            }
        }
        for (claim, matcher) in patternClaims where query.overlaps(matcher) {
            found.append(Overlap(path: path, session: claim.holder!, reason: .claim(claim)))
        }
        if query.pattern.kind == .directory {
            for (file, entries) in files where ClaimMatcher.isSameOrBelow(file, path) {
                found += entries.map { Overlap(path: path, session: $0.0, reason: $0.1) }
            }
        } else {
            found += (files[path] ?? []).map { Overlap(path: path, session: $0.0, reason: $0.1) }
        }
        return found
    }

    /// Whether a path asked about is a folder in this worktree (then anything below it counts).
    func isDirectory(_ path: String) -> Bool {
        guard let workdir else { return false }
        if path.isEmpty { return true }
        var info = stat()
        return lstat(workdir + "/" + path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
