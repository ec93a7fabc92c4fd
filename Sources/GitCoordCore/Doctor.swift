import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `git coord doctor`: every ref under refs/coord/v1/ and every lock git-coord may leave, checked and, on request,
/// repaired. Commands already skip what is wrong (with a warning each time); this says it once, by name, and
/// removes it so the warnings stop.
///
/// Removal is the only repair: a ref is deleted by compare-and-swap on the value examined (so a ref a writer just
/// repaired stays), a lock only while its owner is still known to be gone, a name hold only while its session
/// record is still missing.
public struct Doctor {
    public enum Kind: String, Codable, Sendable {
        /// The ref points at a missing object, a tree, a blob or a tag.
        case brokenTarget = "broken-target"
        /// The commit has no readable payload.
        case unreadableRecord = "unreadable-record"
        /// The payload is over the size limit.
        case oversizedRecord = "oversized-record"
        /// The payload is not a record of the ref's kind, or names another ref.
        case undecodableRecord = "undecodable-record"
        /// git-coord writes no ref of this name.
        case unknownKind = "unknown-kind"
        /// A `.lock` whose owner was killed, or that is older than any live writer keeps one.
        case staleLock = "stale-lock"
        /// A name held for a session whose record never appeared (its `start` was killed).
        case orphanName = "orphan-name"
    }

    public struct Problem: Codable, Equatable, Sendable {
        public var kind: Kind
        /// The ref, for every kind but stale locks.
        public var ref: String?
        /// The lock file, for stale locks.
        public var path: String?
        public var detail: String
        public var fixed: Bool = false
        /// The ref's value when examined: the compare-and-swap of its removal expects it.
        var target: ObjectID?

        enum CodingKeys: String, CodingKey { case kind, ref, path, detail, fixed }
    }

    let coordination: Coordination
    private var store: RecordStore { coordination.store }

    public init(_ coordination: Coordination) { self.coordination = coordination }

    /// Everything wrong, refs in name order, then locks.
    public func examine(now: Millis = nowMillis()) throws -> [Problem] {
        var problems: [Problem] = []
        for (ref, target) in try store.refs(under: RefLayout.root) {
            if let problem = try examine(ref, target: target, now: now) { problems.append(problem) }
        }
        return problems + staleLocks()
    }

    /// Removes what `examine` found, each only if it is still as it was examined; returns the problems with
    /// `fixed` set on those removed.
    public func fix(_ problems: [Problem]) -> [Problem] {
        problems.map { problem in
            var problem = problem
            if let ref = problem.ref, let target = problem.target {
                problem.fixed = (try? store.delete(ref, expecting: target)) != nil && (try? store.target(of: ref)) == .some(nil)
            } else if let path = problem.path, let ref = lockedRef(path) {
                problem.fixed = store.locks.state(ofLockOn: ref) != .inUse && (try? Files.remove(path)) != nil
            } else if let path = problem.path, Files.status(path).map({ $0.age > RefLocks.staleAge }) == true {
                problem.fixed = (try? Files.remove(path)) != nil
            }
            return problem
        }
    }

    // MARK: Refs

    private func examine(_ ref: String, target: ObjectID, now: Millis) throws -> Problem? {
        func problem(_ kind: Kind, _ detail: String) -> Problem { Problem(kind: kind, ref: ref, detail: detail, target: target) }
        guard let recordKind = RecordKinds.kind(of: String(ref.dropFirst(RefLayout.root.count))) else {
            return problem(.unknownKind, "git-coord writes no ref of this name")
        }
        switch store.read(target).payload {
        case .failure(let unreadable):
            switch unreadable.problem {
            case .missing, .notACommit: return problem(.brokenTarget, unreadable.description)
            case .tooLarge: return problem(.oversizedRecord, unreadable.description)
            case .noPayload, .payloadMissing, .damaged, .invalid: return problem(.unreadableRecord, unreadable.description)
            }
        case .success(let payload):
            if let reason = invalidity(of: payload, as: recordKind, at: ref, commit: target) {
                return problem(.undecodableRecord, reason)
            }
            if ref.hasPrefix(RefLayout.names), let holder = try? store.decode(NameKind.self, payload, at: ref, commit: target),
               try coordination.retention.isOrphan(holder, now: now) {
                return problem(.orphanName, "held for session \(holder.session), whose record was never written (its start was killed)")
            }
            return nil
        }
    }

    /// Why `payload` is no record of `kind` at `ref`, or nil when it is one.
    private func invalidity<K: RecordKind>(of payload: Data, as kind: K.Type, at ref: String, commit: ObjectID) -> String? {
        do {
            _ = try store.decode(kind, payload, at: ref, commit: commit)
            return nil
        } catch {
            return RecordStore.reason(error)
        }
    }

    // MARK: Locks

    /// `.lock` files under refs/coord/ whose owner is known to be dead or that are old, and an old
    /// `packed-refs.lock` (libgit2 takes it to delete a packed ref).
    func staleLocks() -> [Problem] {
        var problems: [Problem] = []
        for path in lockFiles(in: store.repository.commonDir + "/refs/coord") {
            guard let ref = lockedRef(path) else { continue }
            switch store.locks.state(ofLockOn: ref) {
            case .deadWriter:
                problems.append(Problem(kind: .staleLock, path: path, detail: "left by a git-coord process killed while it wrote \(ref)"))
            case .old(let seconds):
                problems.append(Problem(kind: .staleLock, path: path, detail: "no process has updated it for \(seconds) s"))
            case .inUse:
                continue
            }
        }
        let packed = store.repository.commonDir + "/packed-refs.lock"
        if let status = Files.status(packed), status.age > RefLocks.staleAge {
            problems.append(Problem(kind: .staleLock, path: packed, detail: "no process has updated it for \(Int(status.age)) s"))
        }
        return problems
    }

    /// The ref a lock file under refs/coord/ locks.
    private func lockedRef(_ path: String) -> String? {
        let prefix = store.repository.commonDir + "/"
        guard path.hasPrefix(prefix + RefLayout.root), path.hasSuffix(".lock") else { return nil }
        return String(path.dropFirst(prefix.count).dropLast(".lock".count))
    }

    private func lockFiles(in directory: String) -> [String] {
        (Files.list(directory) ?? []).sorted().flatMap { name -> [String] in
            let path = directory + "/" + name
            if name.hasSuffix(".lock") { return [path] }
            return Files.status(path)?.isDirectory == true ? lockFiles(in: path) : []
        }
    }
}
