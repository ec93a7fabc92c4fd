import CoordTestSupport
import Foundation
import Testing

/// Damaged and hand-made refs under refs/coord/, made with the real git CLI, as a damaged repository, a hostile
/// remote or a `git gc --prune=now` during a write leaves them.
enum BrokenTarget: String, CaseIterable, Sendable {
    case tree, blob, missing
}

extension Scratch {
    /// Runs git with `input` on stdin; throws when it fails.
    @discardableResult
    func git(_ arguments: [String], input: String) throws -> String {
        let result = try runProcess("/usr/bin/git", arguments, in: repo, environment: environment, stdin: Data(input.utf8))
        #expect(result.succeeded, "git \(arguments.joined(separator: " ")): \(result)")
        return result.output
    }

    /// Points `ref` at a tree, a blob, or an object that is not in the repository (each ref at its own).
    func breakRef(_ ref: String, as target: BrokenTarget) throws {
        switch target {
        case .tree:
            let blob = try git(["hash-object", "-w", "--stdin"], input: ref)
            try git("update-ref", ref, try git(["mktree"], input: "100644 blob \(blob)\tfile\n"))
        case .blob: try git("update-ref", ref, try git(["hash-object", "-w", "--stdin"], input: "not a record: \(ref)\n"))
        case .missing:
            // git refuses to point a ref at a missing object, so the ref file is written as a pruned write leaves it.
            let missing = try git(["hash-object", "--stdin"], input: "never written: \(ref)\n")
            #expect(try runProcess("/usr/bin/git", ["cat-file", "-e", missing], in: repo, environment: environment).status != 0)
            let path = repo + "/.git/" + ref
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try (missing + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// A record commit made by hand: a tree holding `record.json` with `payload` (or, with `file`, another name),
    /// optionally on `blob` instead (a huge one). Returns the commit id.
    func forgeRecord(_ payload: String = "{}", file: String = "record.json", blob: String? = nil, parent: String? = nil) throws -> String {
        let blobID = try blob ?? git(["hash-object", "-w", "--stdin"], input: payload)
        let tree = try git(["mktree"], input: "100644 blob \(blobID)\t\(file)\n")
        return try git(["commit-tree", tree, "-m", "forged"] + (parent.map { ["-p", $0] } ?? []), input: "")
    }

    /// Unreachable objects in the repository (what lost or abandoned writes leave behind).
    func unreachableObjects() throws -> Int {
        try git("fsck", "--unreachable", "--no-reflogs", "--no-progress").split(separator: "\n").filter { $0.hasPrefix("unreachable ") }.count
    }
}

/// The side lock RefLocks uses for a ref (docs/design.md, "Atomic writes"): FNV-1a of the name, modulo 64.
func sideLockPath(_ scratch: Scratch, for ref: String) -> String {
    var hash: UInt32 = 2_166_136_261
    for byte in ref.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
    return scratch.repo + "/.git/coord/locks/" + String(format: "%02x", hash % 64)
}
