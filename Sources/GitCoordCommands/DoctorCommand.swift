import ArgumentParser
import GitCoordCore

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Find (and with --fix remove) broken coordination refs, stale locks and orphaned names.",
        discussion: """
        Checks every ref under refs/coord/v1/: one pointing at a missing object, a tree or a blob (left, for \
        example, by 'git gc --prune=now' during a write), a record that cannot be read, is over 1 MiB or is \
        not of its ref's kind, a ref git-coord does not write, a name held for a session whose record was \
        never written; and the .lock files of killed writers. Commands skip all of these with a warning; \
        doctor names each once. Quiet when nothing is wrong. Exit status: 0 nothing wrong (or, with --fix, \
        everything found was removed), 1 problems remain.
          git coord doctor            # what is wrong
          git coord doctor --fix      # remove it (each ref by compare-and-swap on what was examined)
        """
    )

    @Flag(help: "Remove what is wrong, and say what was removed.")
    var fix = false

    @OptionGroup var output: JSONOption

    struct DoctorView: Encodable {
        let schema = "git-coord.doctor/1"
        let problems: [Doctor.Problem]
    }

    func run() throws {
        let remaining = try withCoordination(requireEnabled: false) { coordination in
            let doctor = Doctor(coordination)
            var problems = try doctor.examine()
            if fix { problems = doctor.fix(problems) }
            if output.json {
                try printJSON(DoctorView(problems: problems))
            } else {
                for problem in problems {
                    let subject = Display.neutralised(problem.ref ?? problem.path ?? "")
                    print((problem.fixed ? "removed " : "") + "\(subject): \(problem.kind.rawValue): \(Display.neutralised(problem.detail))")
                }
                if problems.contains(where: { !$0.fixed }) {
                    printError(fix ? "hint: what is left could not be removed; see the lines above"
                                   : "hint: 'git coord doctor --fix' removes them")
                }
            }
            return problems.filter { !$0.fixed }.count
        }
        if remaining > 0 { throw NegativeAnswer() }
    }
}
