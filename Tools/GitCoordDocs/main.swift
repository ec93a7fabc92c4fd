import Foundation

/// git-coord-docs: writes git-coord's manual pages and shell completion scripts from the binary's own description
/// of its commands (`--experimental-dump-help`) and the README, at build time (`make install`, `make dist`).
///
///   git-coord-docs --binary PATH --readme README.md --out DIR [--date YYYY-MM-DD]
///
/// DIR/man1/*.1, DIR/bash/git-coord, DIR/zsh/_git-coord, DIR/fish/git-coord.fish, DIR/fish/conf.d/git-coord.fish
func main() throws {
    var options: [String: String] = [:]
    var arguments = CommandLine.arguments.dropFirst()
    while let key = arguments.popFirst() {
        guard key.hasPrefix("--"), let value = arguments.popFirst() else { throw DocsError("usage: git-coord-docs --binary PATH --readme FILE --out DIR [--date YYYY-MM-DD]") }
        options[String(key.dropFirst(2))] = value
    }
    guard let binary = options["binary"], let readmePath = options["readme"], let out = options["out"] else {
        throw DocsError("usage: git-coord-docs --binary PATH --readme FILE --out DIR [--date YYYY-MM-DD]")
    }
    let tool = try ToolInfo.read(from: binary).command
    let version = String(decoding: try run(binary, ["--version"]), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let readme = try String(contentsOfFile: readmePath, encoding: .utf8)
    let extra = try Readme.sections.map { ($0.title, MarkdownRoff.convert(try Readme.section($0.heading, in: readme))) }
    let date = options["date"] ?? ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])

    let manual = ManPages(tool: tool, version: version, date: date, extraSections: extra)
    var files = manual.pages().map { ("man1/" + $0.0, $0.1) }
    let completions = Completions(tool: tool, version: version)
    files += [("bash/git-coord", completions.bash()), ("zsh/_git-coord", completions.zsh()), ("fish/git-coord.fish", completions.fish()),
              ("fish/conf.d/git-coord.fish", completions.fishGit())]
    for (path, text) in files {
        let url = URL(fileURLWithPath: out).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("git-coord-docs: \(error)\n".utf8))
    exit(1)
}
