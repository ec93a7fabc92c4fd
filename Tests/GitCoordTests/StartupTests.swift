import CGitCoordStartup
import CLibGit2  // links libgit2 and its dependencies, which the start-up code calls
import Foundation
import Testing

/// What the start-up work in Sources/CGitCoordStartup promises, checked in this (statically linked) process.
@Suite struct StartupTests {
    /// libgit2's GSSAPI calls go through stubs: the library is not mapped at start, and the first call loads it
    /// and gets the real answer.
    @Test func gssapiIsLoadedOnFirstUseAndAnswersForReal() throws {
        #expect(!Self.mapped("libgssapi_krb5"), "nothing maps GSSAPI at start")
        var minor: UInt32 = 0
        var mechanisms: UnsafeMutableRawPointer?
        let major = gss_indicate_mechs(&minor, &mechanisms)
        #expect(major == 0 && mechanisms != nil, "the real library answers: major \(major), minor \(minor)")
        // gss_OID_set_desc begins with its count: MIT krb5 knows at least Kerberos 5.
        let count = mechanisms.map { $0.load(as: Int.self) } ?? 0
        #expect(count >= 1)
        #expect(Self.mapped("libgssapi_krb5"), "the first call loaded it")
        #expect(gss_release_oid_set(&minor, &mechanisms) == 0 && mechanisms == nil)
    }

    /// Read to the end: /proc files say they are empty, so a read sized by the file would see nothing.
    static func mapped(_ library: String) -> Bool {
        guard let maps = FileHandle(forReadingAtPath: "/proc/self/maps") else { return false }
        defer { try? maps.close() }
        let text = String(decoding: maps.readDataToEndOfFile(), as: UTF8.self)
        precondition(text.contains("[stack]"), "/proc/self/maps unreadable")
        return text.contains(library)
    }
}
