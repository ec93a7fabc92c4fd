import CLibGit2
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The payloads of the records at the heads of one ref folder, in one file keyed by commit id.
///
/// Every listing (`list`, the pre-commit hook, an agent's edit hook) reads the head record of each session or
/// claim: three loose objects per record, fifteen system calls and three inflates, most of a listing's time.
/// A record commit never changes, so its payload can be remembered by its id with no invalidation at all; the
/// refs themselves are still read on every listing, so the cache can make a listing faster but never stale.
///
/// The file is derived data, like git's commit-graph: `<common dir>/coord/cache/<folder>`, rewritten (by
/// lock file and rename, so readers see a whole file or none) only when the heads changed, and holding only the
/// current heads. It ends with a checksum of the rest, as git's index does. A missing, unreadable, malformed or
/// mis-summed file is an empty cache, and failing to write one is not an error: the repository may be read-only.
struct HeadCache {
    private static let magic = Array("git-coord head cache 1\n".utf8)
    private static let idSize = 20

    /// Where the caches of a repository live: `.git/coord/cache/`, shared by its worktrees.
    static func directory(in commonDir: String) -> String { commonDir + "/coord/cache" }

    let path: String
    private var known: [ObjectID: Data] = [:]

    init(commonDir: String, folder prefix: String) {
        self.init(commonDir: commonDir, file: Self.fileName(for: prefix))
    }

    /// A file of the same format holding records chosen otherwise (`ClaimCheckCache`).
    init(commonDir: String, file name: String) {
        path = Self.directory(in: commonDir) + "/" + name
        known = Self.load(path)
    }

    /// Deletes every head cache of the repository, and the side locks (see RefLocks): all of `.git/coord/`.
    static func removeAll(in commonDir: String) {
        for directory in [Self.directory(in: commonDir), RefLocks(commonDir: commonDir).directory] {
            for name in Files.list(directory) ?? [] { try? Files.remove(directory + "/" + name) }
            rmdir(directory)
        }
        rmdir(commonDir + "/coord")
    }

    /// `refs/coord/v1/claims/patterns/` is kept in `coord-v1-claims-patterns`.
    static func fileName(for prefix: String) -> String {
        var name = Array((prefix.hasPrefix("refs/") ? prefix.dropFirst(5) : Substring(prefix)).utf8)
        while name.last == UInt8(ascii: "/") { name.removeLast() }
        return String(decoding: name.map { $0 == UInt8(ascii: "/") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
    }

    func payload(of commit: ObjectID) -> Data? { known[commit] }

    /// Every payload the file holds, by commit id.
    var entries: [ObjectID: Data] { known }

    /// Replaces the file with exactly these heads' payloads, unless it holds exactly them already.
    mutating func save(_ heads: [ObjectID: Data]) {
        guard heads.count != known.count || heads.keys.contains(where: { known[$0] == nil }) else { return }
        known = heads
        var bytes = Self.magic
        for (commit, payload) in heads {
            withUnsafeBytes(of: commit.raw.id) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(payload.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: payload)
        }
        guard let checksum = Self.checksum(bytes[...]) else { return }
        Self.replace(path, with: bytes + checksum)
    }

    // MARK: The file

    /// The SHA-1 of `bytes` (as a git blob id), which a reader checks.
    private static func checksum(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        let id = bytes.withUnsafeBytes { ObjectID.blob(of: $0) }
        return withUnsafeBytes(of: id.raw.id) { Array($0) }
    }

    /// Parsed through raw pointers: the generic slice initialisers of Data make the Swift runtime search its
    /// protocol conformances on first use, which costs more than reading the file.
    private static func load(_ path: String) -> [ObjectID: Data] {
        guard let file = readWhole(path), file.count >= magic.count + idSize, file.starts(with: magic) else { return [:] }
        let bodySize = file.count - idSize
        guard checksum(file[..<bodySize]) == Array(file[bodySize...]) else { return [:] }
        return file.withUnsafeBytes { raw -> [ObjectID: Data] in
            var entries: [ObjectID: Data] = [:]
            var offset = magic.count
            while offset < bodySize {
                guard bodySize - offset >= idSize + 4 else { return [:] }
                var oid = git_oid()
                withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + idSize])) }
                offset += idSize
                let length = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                offset += 4
                guard length <= RecordStore.maximumPayload, bodySize - offset >= length else { return [:] }
                entries[ObjectID(oid)] = Data(bytes: raw.baseAddress! + offset, count: length)
                offset += length
            }
            return entries
        }
    }

    private static func readWhole(_ path: String) -> [UInt8]? {
        guard let bytes = try? Files.read(path, limit: 64 << 20), !bytes.isEmpty else { return nil }
        return bytes
    }

    /// Rewrites the file as git writes its own (a lock file written, then renamed over it). Another writer at
    /// work means this write is skipped (theirs is as good); one killed at work leaves a lock the next one takes.
    private static func replace(_ path: String, with bytes: [UInt8]) {
        do {
            try Files.replaceUnlessBusy(path, bytes)
        } catch let error as SystemError where error.isNotFound {  // first use: make coord/cache/
            guard (try? Files.makeDirectories(String(path[..<path.lastIndex(of: "/")!]))) != nil else { return }
            _ = try? Files.replaceUnlessBusy(path, bytes)
        } catch {
            // Derived data: a read-only repository simply has no cache.
        }
    }
}
