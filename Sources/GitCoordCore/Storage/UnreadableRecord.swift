import CLibGit2

/// Why the record a ref (or a chain) points at cannot be read. Every read of a record goes through
/// `RecordStore.read(_:)`, which classifies each failure as one of these: readers skip the record with a warning
/// naming its ref, writers start the chain again, and `git coord doctor` names and removes the ref. Nothing a
/// remote, a damaged repository or a `git gc --prune=now` during a write can leave under refs/coord/ stops a command.
public struct UnreadableRecord: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Problem: Equatable, Sendable {
        /// The object is not in the object database (pruned, or never written).
        case missing
        /// The object is a tree, a blob or a tag: no record commit.
        case notACommit(type: String)
        /// The commit's tree is missing, or holds no `record.json` blob.
        case noPayload
        /// The commit names a payload blob that is not in the object database.
        case payloadMissing
        /// The payload is over `RecordStore.maximumPayload` bytes, by its object header.
        case tooLarge(bytes: Int)
        /// libgit2 could not read it for another reason (a corrupt object).
        case damaged(String)
        /// The payload is read, but is no record of the ref's kind, or does not belong at its ref (`RecordKind`).
        case invalid(String)
    }

    public let commit: ObjectID
    public let problem: Problem
    /// The ref it was read for, when the reader knows it.
    public var ref: String?

    public init(commit: ObjectID, problem: Problem, ref: String? = nil) {
        self.commit = commit
        self.problem = problem
        self.ref = ref
    }

    /// The warning a reader gives when it skips the record.
    public var warning: String { "skipping \(ref ?? "record \(commit.hex.prefix(12))"): \(description)" }

    /// Whether the object is a readable commit (only its payload is wrong), so that a chain can go on from it.
    public var isCommit: Bool {
        switch problem {
        case .missing, .notACommit: return false
        case .noPayload, .payloadMissing, .tooLarge, .damaged, .invalid: return true
        }
    }

    public var description: String {
        let id = String(commit.hex.prefix(12))
        switch problem {
        case .missing: return "it points at \(id), which is not in the object database"
        case .notACommit(let type): return "it points at a \(type) (\(id)), not a record commit"
        case .noPayload: return "its record \(id) holds no \(RecordStore.payloadName)"
        case .payloadMissing: return "the payload of its record \(id) is not in the object database"
        case .tooLarge(let bytes): return "its record \(id) is \(bytes) bytes, over the \(RecordStore.maximumPayload)-byte limit"
        case .damaged(let message): return "its record \(id) cannot be read: \(message)"
        case .invalid(let reason): return reason
        }
    }
}

extension UnreadableRecord.Problem {
    static func named(_ type: git_object_t) -> String {
        switch type {
        case GIT_OBJECT_TREE: return "tree"
        case GIT_OBJECT_BLOB: return "blob"
        case GIT_OBJECT_TAG: return "tag"
        default: return "object of type \(type.rawValue)"
        }
    }
}
