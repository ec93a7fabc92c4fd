import CoordTestSupport
import Foundation
import Testing

/// Claims that ended leave no refs behind (docs/design.md, "Claims", Rules): a release deletes a claim no remote
/// has; a shared one goes once the remote has its release; gc ends the claims of gone sessions; and sync neither
/// brings a released claim back nor loses a release made while it was sending.
@Suite struct EndedClaimsTests {
    /// The ref of a file claim: named by the blob id of its path.
    static func pathClaimRef(_ path: String, _ scratch: Scratch) throws -> String {
        "refs/coord/v1/claims/paths/" + (try runProcess("/usr/bin/git", ["hash-object", "--stdin"], in: scratch.repo,
                                                        environment: scratch.environment, stdin: Data(path.utf8)).output)
    }

    static func ok(_ scratch: Scratch, _ arguments: [String], env: [String: String]) throws {
        let result = try scratch.coord(arguments, env: env)
        #expect(result.succeeded, "\(arguments): \(result)")
    }

    static func claimRefs(_ scratch: Scratch, in directory: String? = nil) throws -> [String] {
        try scratch.git("for-each-ref", "--format=%(refname)", "refs/coord/v1/claims/", in: directory)
            .split(separator: "\n").map(String.init)
    }

    @Test func releasedClaimsLeaveNoRefsAndClaimingReadsOnlyWhatCanOverlap() throws {
        let (scratch, alice) = try ClaimsTests.setUp()
        let env = ["GIT_COORD_SESSION": alice]
        try Self.ok(scratch, ["claim"] + (0..<40).map { "done/file\($0).txt" } + ["src/"], env: env)
        #expect(try Self.claimRefs(scratch).count == 41)
        try scratch.coordOK("release", "done/file7.txt", env: env)
        #expect(try Self.claimRefs(scratch).count == 40)
        try scratch.coordOK("release", "--all", env: env)
        #expect(try Self.claimRefs(scratch) == [])
        #expect(try scratch.coordOK("claims", "--all") == "")

        // Claiming a file reads its own claim, its folders' and the patterns, never the other files' claims: a
        // damaged record of another file goes unnoticed by it, while a claim of a folder must read them all.
        let bob = try scratch.coordOK("start", "--name", "bob", env: ["GIT_COORD_SESSION": ""])
        try scratch.coordOK("claim", "other/x.txt", "other/y.txt", env: ["GIT_COORD_SESSION": bob])
        let blob = try scratch.git("rev-parse", try Self.pathClaimRef("other/x.txt", scratch) + ":record.json")
        try FileManager.default.removeItem(atPath: scratch.repo + "/.git/objects/" + blob.prefix(2) + "/" + blob.dropFirst(2))
        let file = try scratch.coord(["claim", "mine/z.txt"], env: env)
        #expect(file.succeeded && file.stderr.isEmpty, "\(file)")
        let folder = try scratch.coord(["claim", "other/"], env: env)
        #expect(folder.stderr.contains("skipping"), "\(folder)")
    }

    @Test func gcEndsTheClaimsOfGoneSessions() throws {
        let (scratch, alice) = try ClaimsTests.setUp()
        let bob = try scratch.coordOK("start", "--name", "bob", env: ["GIT_COORD_SESSION": ""])
        try scratch.coordOK("claim", "bob/a.txt", "bob/b.txt", env: ["GIT_COORD_SESSION": bob])
        try scratch.coordOK("claim", "alice.txt", env: ["GIT_COORD_SESSION": alice])
        try scratch.coordOK("stop", env: ["GIT_COORD_SESSION": bob])
        #expect(try Self.claimRefs(scratch).count == 3)
        let dryRun = try scratch.coordOK("gc", "--dry-run")
        #expect(dryRun.components(separatedBy: "would drop refs/coord/v1/claims/").count == 3, "\(dryRun)")
        #expect(try Self.claimRefs(scratch).count == 3)
        try scratch.coordOK("gc")
        #expect(try Self.claimRefs(scratch).count == 1, "alice's live claim stays")
        #expect(try scratch.coordOK("claims").contains("alice.txt"))
    }

    @Test func aSharedClaimGoesOnceTheRemoteHasItsReleaseAndNeverComesBack() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        let (a, b) = (lab.clones[0], lab.clones[1])
        let alice = try SyncTests.startSession(lab, a, "alice")
        _ = try SyncTests.startSession(lab, b, "bob")
        try scratch.coordOK("claim", "--session", alice, "shared.txt", "other.txt", in: a)
        try scratch.coordOK("sync", in: a)
        try scratch.coordOK("sync", in: b)
        #expect(try Self.claimRefs(scratch, in: b).count == 2)
        #expect(try scratch.coord(["check", "shared.txt"], in: b).status == 1)

        // The remote has it: a release is a record that the next sync carries; then the ref goes everywhere.
        try scratch.coordOK("release", "--session", alice, "shared.txt", in: a)
        #expect(try Self.claimRefs(scratch, in: a).count == 2)
        let sent = try scratch.coord(["sync"], in: a)
        #expect(sent.succeeded && sent.stderr.isEmpty, "\(sent)")
        #expect(try Self.claimRefs(scratch, in: a).count == 1)
        let ref = try Self.pathClaimRef("shared.txt", scratch)
        #expect(try parseJSON(try lab.remoteGit("cat-file", "-p", ref + ":record.json"))["released"] as? Int != nil)
        let received = try scratch.coord(["sync"], in: b)
        #expect(received.succeeded && received.stderr.isEmpty, "\(received)")
        #expect(try Self.claimRefs(scratch, in: b).count == 1)
        #expect(try scratch.coord(["check", "shared.txt"], in: b).status == 0)
        for clone in [a, b] {
            try scratch.coordOK("sync", in: clone)
            #expect(try Self.claimRefs(scratch, in: clone).count == 1, "a released claim is not taken back")
        }
    }

    @Test func aReleaseMadeWhileASyncWasSendingTheClaimReachesTheRemote() throws {
        let lab = try CloneLab(clones: 2, overDaemon: false)
        let scratch = lab.scratch
        let (a, b) = (lab.clones[0], lab.clones[1])
        let alice = try SyncTests.startSession(lab, a, "alice")
        _ = try SyncTests.startSession(lab, b, "bob")
        try scratch.coordOK("claim", "--session", alice, "shared.txt", in: a)
        try scratch.coordOK("sync", in: a)
        // As if the release came between the sync's push and its record of what it pushed: no copy of the remote's
        // here, so the release deletes the ref, while the remote holds the live claim.
        let ref = try Self.pathClaimRef("shared.txt", scratch)
        try scratch.git("update-ref", "-d", ref.replacingOccurrences(of: "refs/coord/v1/", with: "refs/coord-remotes/origin/v1/"), in: a)
        try scratch.coordOK("release", "--session", alice, "shared.txt", in: a)
        #expect(try Self.claimRefs(scratch, in: a) == [])
        let sync = try scratch.coord(["sync"], in: a)
        #expect(sync.succeeded && sync.stderr.isEmpty, "\(sync)")
        #expect(try parseJSON(try lab.remoteGit("cat-file", "-p", ref + ":record.json"))["released"] as? Int != nil)
        #expect(try Self.claimRefs(scratch, in: a) == [])
        try scratch.coordOK("sync", in: b)
        #expect(try scratch.coord(["check", "shared.txt"], in: b).status == 0)
    }
}
