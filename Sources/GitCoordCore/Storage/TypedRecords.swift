#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A record read back as its kind's payload, with the ref and commit it came from.
public struct StoredRecord<Kind: RecordKind> {
    public let ref: String
    public let commit: ObjectID
    public let payload: Kind.Payload
}

/// The readable records under a folder, and the ones that were skipped: the warnings travel with the result.
public struct RecordListing<Kind: RecordKind> {
    public var records: [StoredRecord<Kind>] = []
    public var skipped: [UnreadableRecord] = []
}

extension RecordStore {
    static let recordEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Decodes and checks a payload as a record of `kind` at `ref`.
    public func decode<Kind: RecordKind>(_ kind: Kind.Type, _ data: Data, at ref: String, commit: ObjectID) throws -> Kind.Payload {
        let payload: Kind.Payload
        if let scanned = Kind.scanned(data) {
            payload = scanned
        } else {
            do {
                payload = try JSONDecoder().decode(Kind.Payload.self, from: data)
            } catch {
                throw UnreadableRecord(commit: commit, problem: .invalid("its record is not a valid \(Kind.noun) record"), ref: ref)
            }
        }
        if let problem = Kind.problem(with: payload, at: ref) {
            throw UnreadableRecord(commit: commit, problem: .invalid(problem), ref: ref)
        }
        return payload
    }

    /// The record in `commit`, read as one of `kind` at `ref`; any failure to read it is an `UnreadableRecord`.
    public func read<Kind: RecordKind>(_ kind: Kind.Type, commit: ObjectID, at ref: String) throws -> Kind.Payload {
        switch read(commit).payload {
        case .success(let data): return try decode(kind, data, at: ref, commit: commit)
        case .failure(var unreadable):
            unreadable.ref = ref
            throw unreadable
        }
    }

    /// The head record of `ref`, nil when the ref does not exist; `UnreadableRecord` when it cannot be read.
    public func read<Kind: RecordKind>(_ kind: Kind.Type, at ref: String) throws -> StoredRecord<Kind>? {
        guard let commit = try target(of: ref) else { return nil }
        return StoredRecord(ref: ref, commit: commit, payload: try read(kind, commit: commit, at: ref))
    }

    /// The head record of every ref of `kind` under `prefix` (default: all of its folder), in ref-name order.
    public func list<Kind: RecordKind>(_ kind: Kind.Type, under prefix: String = Kind.prefix) throws -> RecordListing<Kind> {
        var listing = RecordListing<Kind>()
        for (ref, commit, data) in try heads(under: prefix) {
            do {
                listing.records.append(StoredRecord(ref: ref, commit: commit, payload: try decode(kind, try data.get(), at: ref, commit: commit)))
            } catch var unreadable as UnreadableRecord {
                unreadable.ref = ref
                listing.skipped.append(unreadable)
            }
        }
        return listing
    }

    /// `update` in terms of `kind`'s payloads: `transform` gets the current record (nil when the ref does not exist)
    /// and returns the next payload, or nil to write nothing. An unreadable current record is thrown, unless
    /// `ifUnreadable` is given: then it is told, and `transform` gets nil (the record is replaced).
    @discardableResult
    public func update<Kind: RecordKind>(_ kind: Kind.Type, at ref: String, message: String,
                                         ifUnreadable: ((UnreadableRecord) -> Void)? = nil,
                                         _ transform: (StoredRecord<Kind>?) throws -> Kind.Payload?) throws -> UpdateOutcome {
        try update(ref, message: message) { current in
            var record: StoredRecord<Kind>?
            if let current {
                do {
                    record = StoredRecord(ref: ref, commit: current.commit,
                                          payload: try decode(kind, current.payload, at: ref, commit: current.commit))
                } catch let unreadable as UnreadableRecord {
                    guard let ifUnreadable else { throw unreadable }
                    ifUnreadable(unreadable)
                }
            }
            return try transform(record).map { try Self.recordEncoder.encode($0) }
        }
    }

    /// The bytes of `payload` as a record of `kind`, for the one writer that needs the untyped `update`: a log
    /// appends above an unreadable head (never replacing it) and indexes its head by the blob of its raw bytes.
    public func encode<Kind: RecordKind>(_ kind: Kind.Type, _ payload: Kind.Payload) throws -> Data {
        try Self.recordEncoder.encode(payload)
    }

    /// Writes `payload` as a record commit of `kind` without moving a ref (arbiters swap it in themselves).
    public func write<Kind: RecordKind>(_ kind: Kind.Type, _ payload: Kind.Payload, parent: ObjectID?, message: String) throws -> ObjectID {
        try writeRecord(try Self.recordEncoder.encode(payload), parent: parent, message: message)
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case let error as UnreadableRecord: return error.description
        case let error as GitError: return error.message
        default: return "\(error)"
        }
    }
}
