import CGitCoordStartup
import CLibGit2

/// A git object id (SHA-1), compared and hashed by value.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    /// The all-zero id: as an expected value in a compare-and-swap it means "the ref must not exist yet".
    static let zero = ObjectID(git_oid())

    public init?(hex: String) {
        var oid = git_oid()
        guard hex.utf8.count == 40, git_oid_fromstr(&oid, hex) == 0 else { return nil }
        raw = oid
    }

    public var hex: String {
        // Written straight into the string's storage: ref names of claims are made from ids by the hundred.
        withUnsafeBytes(of: raw.id) { id in
            String(unsafeUninitializedCapacity: 40) { text in
                let digits: StaticString = "0123456789abcdef"
                for (index, byte) in id.enumerated() {
                    text[2 * index] = digits.utf8Start[Int(byte >> 4)]
                    text[2 * index + 1] = digits.utf8Start[Int(byte & 0x0f)]
                }
                return 40
            }
        }
    }

    public var description: String { hex }

    /// The git blob id of `bytes` (`git hash-object` of them), computed here rather than by libgit2's collision-
    /// detecting SHA-1: these ids name refs and check git-coord's own files, on every commit's hot path.
    static func blob(of bytes: UnsafeRawBufferPointer) -> ObjectID {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { id in
            git_coord_blob_id(bytes.baseAddress, bytes.count, id.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return ObjectID(oid)
    }

    public static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        withUnsafeBytes(of: lhs.raw.id) { l in withUnsafeBytes(of: rhs.raw.id) { r in l.elementsEqual(r) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw.id) { hasher.combine(bytes: $0) }
    }
}
