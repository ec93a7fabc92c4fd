/// The README sections the manual takes over, so that each explanation is written once: the README's heading
/// text, and the manual section it becomes.
enum Readme {
    static let sections: [(heading: String, title: String)] = [
        ("### Exit status", "Exit status"),
        ("### Configuration", "Configuration"),
        ("### Environment", "Environment"),
        ("### Files", "Files"),
    ]

    /// The body of the section under `heading` (an exact heading line), up to the next heading of its level or
    /// above. A missing section is an error: the manual must not silently lose it.
    static func section(_ heading: String, in markdown: String) throws -> String {
        let level = heading.prefix { $0 == "#" }.count
        var lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        guard let start = lines.firstIndex(of: heading) else {
            throw DocsError("README.md has no '\(heading)' section, which the manual includes")
        }
        lines = lines[(start + 1)...]
        var body: [String] = []
        var inCode = false
        for line in lines {
            if line.hasPrefix("```") { inCode.toggle() }
            let hashes = line.prefix { $0 == "#" }.count
            if !inCode && hashes > 0 && hashes <= level && line.dropFirst(hashes).hasPrefix(" ") { break }
            body.append(line)
        }
        return body.joined(separator: "\n")
    }
}
