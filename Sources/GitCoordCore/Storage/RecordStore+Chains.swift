#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Walking a record chain backwards from its head, for logs that are read item by item.
extension RecordStore {
    /// Calls `visit` with each record of the chain ending at `head`, newest first, until it returns false or
    /// the chain's first record. A record that cannot be read is passed as an `UnreadableRecord` instead, so one
    /// bad record neither stops the walk nor hides the ones before it (a commit that is not there, or is no
    /// commit, ends the chain: there is nothing before it to find).
    public func walk(from head: ObjectID,
                     _ visit: (_ commit: ObjectID, _ payload: Result<Data, Error>) throws -> Bool) throws {
        var next: ObjectID? = head
        while let commit = next {
            let (payload, parent) = read(commit)
            next = parent
            guard try visit(commit, payload.mapError { $0 }) else { return }
        }
    }
}
