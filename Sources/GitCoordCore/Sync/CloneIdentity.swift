import CLibGit2
#if canImport(Glibc)
import Glibc
#endif

/// Which clone wrote a record. Every clone has an id (`coord.cloneId`, 12 hex digits, generated on first need),
/// and every record commit it writes carries it as a `Coord-Clone:` trailer in the commit message. The trailer is
/// in the commit, not in each entity's JSON, so sync can tell the owner of any ref (sessions, notes, claims, and
/// kinds added later) without knowing its record format.
public enum CloneIdentity {
    public static let configKey = "coord.cloneId"
    static let trailer = "Coord-Clone: "

    /// This clone's id, generated and stored in the shared repository config the first time it is needed.
    public static func id(in repository: Repository) throws -> String {
        // Several processes may race to create it (sessions started at once in a new repository): one writes the
        // config file under its lock, the others find it locked, and every one then reads whichever value it kept.
        var failure: Error?
        for attempt in 0..<40 {
            if let existing = repository.configString(configKey), isValid(existing) { return existing }
            do {
                try repository.setConfig(configKey, to: SessionService.newID())
            } catch {
                failure = error
                usleep(UInt32(min(20_000, 500 << min(attempt, 6))))
            }
        }
        throw failure ?? CoordError.system(what: "store \(configKey) in the repository config", reason: "the config stayed locked")
    }

    static func isValid(_ id: String) -> Bool {
        id.utf8.count == 12 && id.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit && !("A"..."F").contains($0) }
    }

    /// The commit message with the clone trailer appended (unchanged when there is no id).
    static func stamped(_ message: String, clone: String?) -> String {
        guard let clone else { return message }
        return message + "\n\n" + trailer + clone + "\n"
    }

    /// The clone id a commit message claims, if any.
    static func clone(inMessage message: String) -> String? {
        guard let range = message.ranges(of: "\n" + trailer).last else { return nil }
        let id = String(message[range.upperBound...].prefix { $0 != "\n" })
        return isValid(id) ? id : nil
    }
}

extension RecordStore {
    /// The clone that says it wrote `commit` (its `Coord-Clone:` trailer), nil when unstamped or unreadable.
    public func clone(of commit: ObjectID) -> String? {
        var oid = commit.raw
        var object: OpaquePointer?
        guard git_commit_lookup(&object, repository.pointer, &oid) == 0 else { return nil }
        defer { git_commit_free(object) }
        guard let message = git_commit_message(object) else { return nil }
        return CloneIdentity.clone(inMessage: String(cString: message))
    }
}
