import CLibGit2
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Walking a record chain backwards from its head, for logs that are read item by item.
extension RecordStore {
    /// Calls `visit` with each record of the chain ending at `head`, newest first, until it returns false or
    /// the chain's first record. A record whose payload cannot be read is passed as a thrown error's
    /// description instead, so one bad record neither stops the walk nor hides the ones before it.
    public func walk(from head: ObjectID,
                     _ visit: (_ commit: ObjectID, _ payload: Result<Data, Error>) throws -> Bool) throws {
        var next: ObjectID? = head
        while let commit = next {
            let payload: Result<Data, Error>
            do {
                let record = try record(at: commit)
                payload = .success(record.payload)
                next = record.parent
            } catch let error as CoordError {
                payload = .failure(error)
                next = try parents(of: commit).first
            }
            guard try visit(commit, payload) else { return }
        }
    }
}
