import CLibGit2
import GitCoordSystem
#if canImport(Glibc)
import Glibc
#endif

/// Reading one coordination ref's target without libgit2, for the lookups a commit makes by the hundred.
///
/// libgit2 resolves a ref name with a `stat` and a read of its loose file, then of `packed-refs`, plus name checks and
/// allocations: about 8 µs, 0.8 ms for the hundred claims a commit of a hundred files looks up. A loose ref file
/// that git-coord (or git) wrote is 40 hexadecimal digits and a newline, read here with three system calls. Anything
/// else goes to libgit2, as before: a missing file when `packed-refs` exists (the ref may be packed there: `git gc`
/// packs every ref), a symbolic ref, a symbolic link, unexpected content. The order is git's own: a loose file first,
/// then `packed-refs`, so a `git pack-refs` running meanwhile (it writes `packed-refs` before deleting loose files)
/// is never missed.
extension RecordStore {
    enum LooseTarget {
        case target(ObjectID)
        case absent
        /// Not known from the loose file alone: libgit2 decides.
        case unknown
    }

    func looseTarget(of ref: String) -> LooseTarget {
        guard Self.isPlainCoordRef(ref) else { return .unknown }
        let commonDir = repository.commonDir
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes
        return withUnsafeMutableBytes(of: &buffer) { bytes -> LooseTarget in
            switch Files.readSmall(commonDir + "/" + ref, into: bytes) {
            case .bytes(41) where bytes[40] == UInt8(ascii: "\n"):
                var oid = git_oid()
                guard git_oid_fromstrn(&oid, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), 40) == 0,
                      Self.isLowercaseHex(UnsafeRawBufferPointer(rebasing: bytes[0..<40])) else { return .unknown }
                return .target(ObjectID(oid))
            case .absent:
                return access(commonDir + "/packed-refs", F_OK) == 0 ? .unknown : .absent
            default:
                return .unknown
            }
        }
    }

    /// A name git-coord makes (`refs/coord/...`, components of `[A-Za-z0-9._-]`, none empty or starting with a dot),
    /// so it names a file inside the refs folder and nothing else.
    static func isPlainCoordRef(_ ref: String) -> Bool {
        var ref = ref
        return ref.withUTF8(isPlainCoordRef)
    }

    private static func isPlainCoordRef(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.starts(with: "refs/coord/".utf8) else { return false }
        var previous = UInt8(ascii: "/")
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                break
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: "/") { return false }
            case UInt8(ascii: "/"):
                if previous == UInt8(ascii: "/") { return false }
            default:
                return false
            }
            previous = byte
        }
        return previous != UInt8(ascii: "/") && previous != UInt8(ascii: ".")
    }

    private static func isLowercaseHex(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
