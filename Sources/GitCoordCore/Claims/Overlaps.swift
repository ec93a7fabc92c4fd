#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GitCoordSystem
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

extension ClaimService {
    /// The other live sessions on `path` (repository-relative; a directory means anything below it): what the
    /// agents' PreToolUse hooks and `git coord check` ask before a file is written.
    public func others(onPath path: String, excluding sessionID: String?) throws -> [Overlap] {
        try others(onPaths: [path], excluding: sessionID, pathsAreFiles: false)
    }

    /// The same for many paths at once (`check`, the pre-commit hook's staged files). `pathsAreFiles` skips
    /// asking the file system whether each path is a folder (staged paths are files; a directory claim still
    /// covers them through their folders).
    public func others(onPaths paths: [String], excluding sessionID: String?, pathsAreFiles: Bool,
                       now: Millis = nowMillis()) throws -> [Overlap] {
        // The agents' processes are looked up only for the sessions found on these paths, not for every session
        // listed: this runs before every edit an agent makes. A session whose agent is gone is dropped here, with
        // its claims and files, as `sessions.all(now:)` would have dropped it.
        let live = try coordination.sessions.all(now: now, checkingProcesses: false).filter { $0.isLive && $0.id != sessionID }
        let found = try overlaps(onPaths: paths, others: live, pathsAreFiles: pathsAreFiles, now: now)
        return Processes.lookingUpOnce {
            found.filter { overlap in !(overlap.session.record.process.map(Session.isGone) ?? false) }
        }
    }

    func overlaps(onPaths paths: [String], others live: [Session], pathsAreFiles: Bool, now: Millis) throws -> [Overlap] {
        guard !live.isEmpty, !paths.isEmpty else { return [] }
        let index = try OverlapIndex(coordination: coordination, others: live, now: now)
        if paths.count >= ClaimCheckCache.minimumPaths { index.checkCache = ClaimCheckCache(commonDir: repository.commonDir) }
        defer { index.checkCache?.save() }
        return try paths.flatMap { try index.overlaps(on: $0, isDirectory: !pathsAreFiles && index.isDirectory($0)) }
    }
}

/// Claims and files of the other live sessions, looked up rather than scanned: this runs on every commit.
///
/// A file's own claim and its folders' claims are found by ref name (the name is a hash of the path), so a
/// thousand claims on other files cost nothing; only wildcard patterns are listed and matched one by one.
/// A folder asked about (by `check`) needs every path claim below it, which is the one case that lists them.
final class OverlapIndex {
    private let coordination: Coordination
    private let book = ClaimBook()
    private let others: [String: Session]
    private let now: Millis
    private let patternClaims: [(Claim, ClaimMatcher)]
    private var pathClaimsByKey: [String: Claim?] = [:]
    private var allPathClaims: [Claim]?
    private var files: [String: [(Session, Overlap.Reason)]] = [:]
    private let workdir: String?
    /// For a check of many paths: the claim records the last one found.
    var checkCache: ClaimCheckCache?

    init(coordination: Coordination, others live: [Session], now: Millis) throws {
        self.coordination = coordination
        self.now = now
        workdir = coordination.repository.workdir
        others = Dictionary(live.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        patternClaims = try book.claims(in: coordination, sessions: others, now: now, under: RefLayout.patternClaims)
            .filter(\.isLive).map { ($0, ClaimMatcher($0.pattern)) }
        for session in live {
            for file in session.record.touched { files[file.path, default: []].append((session, .touched(at: file.at))) }
            // A session in this same checkout has our uncommitted changes as its own: they say nothing about it.
            guard session.record.worktree != workdir else { continue }
            for file in session.record.changed { files[file.path, default: []].append((session, .changed(at: file.at))) }
        }
    }

    func overlaps(on path: String, isDirectory: Bool) throws -> [Overlap] {
        var found: [Overlap] = []
        func add(_ claim: Claim) { found.append(Overlap(path: path, session: claim.holder!, reason: .claim(claim))) }
        // The path's own claim, then each folder's up to the whole repository ("").
        for key in ClaimBook.selfAndFolders(of: path) {
            if let claim = try pathClaim(key), key == path || claim.pattern.kind == .directory { add(claim) }
        }
        let query = ClaimMatcher(ClaimPattern(text: path, kind: isDirectory ? .directory : .file))
        if isDirectory {
            for claim in try everyPathClaim() where claim.pattern.text != path && ClaimMatcher.isSameOrBelow(claim.pattern.text, path) {
                add(claim)
            }
            for (file, entries) in files where ClaimMatcher.isSameOrBelow(file, path) {
                found += entries.map { Overlap(path: path, session: $0.0, reason: $0.1) }
            }
        } else {
            found += (files[path] ?? []).map { Overlap(path: path, session: $0.0, reason: $0.1) }
        }
        for (claim, matcher) in patternClaims where query.overlaps(matcher) { add(claim) }
        return found
    }

    /// Past this many lookups (a commit of thousands of files), listing the path claim refs once is cheaper
    /// than asking for each name: the names are then matched in memory.
    static let lookupsBeforeListing = 512
    private var lookups = 0
    private var listedPathRefs: [String: ObjectID]?

    /// The live claim of another session on exactly `text` (as a file or a directory), looked up by ref name.
    private func pathClaim(_ text: String) throws -> Claim? {
        if let known = pathClaimsByKey[text] { return known }
        lookups += 1
        if listedPathRefs == nil && lookups > Self.lookupsBeforeListing {
            listedPathRefs = Dictionary(try coordination.store.refs(under: RefLayout.pathClaims).map { ($0.name, $0.target) },
                                        uniquingKeysWith: { a, _ in a })
        }
        let ref = ClaimPattern(text: text, kind: .file).refName
        let commit: ObjectID? = if let listedPathRefs { listedPathRefs[ref] } else { try coordination.store.target(of: ref) }
        let live = commit.flatMap { claim(at: ref, commit: $0) }.flatMap { $0.isLive && $0.holder != nil ? $0 : nil }
        pathClaimsByKey[text] = .some(live)
        return live
    }

    private func claim(at ref: String, commit: ObjectID) -> Claim? {
        var known: (() throws -> Data)?
        if let payload = checkCache?.payload(of: commit, in: coordination.store) { known = { payload } }
        return book.claim(at: ref, commit: commit, payload: known, in: coordination, sessions: others, now: now)
    }

    private func everyPathClaim() throws -> [Claim] {
        if let allPathClaims { return allPathClaims }
        let claims = try book.claims(in: coordination, sessions: others, now: now, under: RefLayout.pathClaims)
            .filter { $0.isLive && $0.holder != nil }
        allPathClaims = claims
        return claims
    }

    /// Whether a path asked about is a folder in this worktree (then anything below it counts).
    func isDirectory(_ path: String) -> Bool {
        guard let workdir else { return false }
        if path.isEmpty { return true }
        var info = stat()
        return lstat(workdir + "/" + path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
