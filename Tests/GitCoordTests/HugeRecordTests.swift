import CoordTestSupport
import Foundation
import Testing

/// A record of hundreds of megabytes (a hostile or damaged one: zeros make 400 MB take 1.8 MB on disk) is refused
/// from its object header, before a byte of it is inflated, in every read path: listings and the head cache,
/// claim listings, log walks.
@Suite struct HugeRecordTests {
    /// Runs git-coord and returns what it did and the most memory it held (KiB), through a small Python parent:
    /// started straight from this test process (posix_spawn shares its memory until exec), its peak would be
    /// counted from the test runner's own size.
    static func measured(_ arguments: [String], in scratch: Scratch, environment: [String: String]) throws -> (ProcessResult, Int) {
        let peak = scratch.root + "/peak-\(UUID().uuidString)"
        let script = "import resource, subprocess, sys\nr = subprocess.run(sys.argv[2:])\n"
            + "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\nsys.exit(r.returncode)"
        let run = try Background(["python3", "-c", script, peak, coordBinary] + arguments, in: scratch.repo,
                                 environment: environment, executable: "/usr/bin/env")
        let (result, _) = run.wait()
        return (result, Int((try? String(contentsOfFile: peak, encoding: .utf8)) ?? "") ?? 0)
    }

    @Test func aHugeRecordIsRefusedFromItsObjectHeader() throws {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        try scratch.coordOK("start", "--name", "alice")
        try scratch.coordOK("note", "--session", "alice", "a normal note")
        try scratch.coordOK("claim", "--session", "alice", "docs/**")
        try scratch.coordOK("start", "--name", "bob")
        let asBob = scratch.environment.merging(["GIT_COORD_SESSION": "bob"]) { $1 }

        let made = try runProcess("/bin/sh", ["-c", "head -c 400M /dev/zero | git hash-object -w --stdin"], in: scratch.repo,
                                  environment: scratch.environment)
        #expect(made.succeeded, "\(made)")
        let huge = try scratch.forgeRecord(blob: made.output)
        let refs = ["refs/coord/v1/sessions/0badc0ffee00", "refs/coord/v1/log/0badc0ffee00",
                    "refs/coord/v1/claims/patterns/" + String(repeating: "cd", count: 20)]
        for ref in refs { try scratch.git("update-ref", ref, huge) }
        let limit = "is 419430400 bytes, over the 1048576-byte limit"

        // Each command, and what it must still show: the huge record costs it a header read, not 400 MB.
        let commands: [([String], String)] = [
            (["list"], "alice"), (["list", "--all", "--json"], "alice"), (["feed"], "a normal note"),
            (["claims"], "docs/**"), (["check", "docs/x.md"], "alice"),
        ]
        var timings: [String: Double] = [:]
        for (arguments, shown) in commands {
            let start = monotonic()
            let (result, _) = try Background(arguments, in: scratch.repo, environment: asBob).wait()
            timings[arguments.joined(separator: " ")] = monotonic() - start
            #expect(result.stdout.contains(shown), "git coord \(arguments): \(result)")
            #expect(result.stderr.contains(limit), "git coord \(arguments) names the huge record: \(result)")
            let (_, residentKiB) = try Self.measured(arguments, in: scratch, environment: asBob)
            #expect(residentKiB > 0 && residentKiB < 100 << 10, "git coord \(arguments) used \(residentKiB) KiB")
        }

        let doctor = try scratch.coord(["doctor", "--json"])
        let problems = try parseJSON(doctor.stdout)["problems"] as? [[String: Any]] ?? []
        #expect(doctor.status == 1 && Set(problems.compactMap { $0["ref"] as? String }) == Set(refs), "\(doctor)")
        #expect(problems.allSatisfy { $0["kind"] as? String == "oversized-record" }, "\(doctor)")
        try scratch.coordOK("doctor", "--fix")

        // The same commands without it, for comparison (not asserted: the machine's load decides the figures).
        for (arguments, _) in commands {
            let start = monotonic()
            let run = try Background(arguments, in: scratch.repo, environment: asBob)
            let (result, _) = run.wait()
            #expect(result.status == 0 || arguments[0] == "check", "\(result)")
            let key = arguments.joined(separator: " ")
            print("git coord \(key): \(String(format: "%.3f", timings[key] ?? 0)) s with a 400 MB record, "
                  + "\(String(format: "%.3f", monotonic() - start)) s without it")
        }
    }
}
