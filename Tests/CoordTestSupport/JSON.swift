import Foundation

/// Parses a command's JSON output into plain dictionaries and arrays, failing loudly when it is not JSON.
public func parseJSON(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw ProcessFailure(command: "parse JSON", result: ProcessResult(status: 0, stdout: text, stderr: "not a JSON object"))
    }
    return object
}

extension Scratch {
    /// `git coord list --json [--all]`'s sessions, in its order.
    public func listedSessions(all: Bool = false, in directory: String? = nil) throws -> [[String: Any]] {
        let output = all ? try coordOK("list", "--json", "--all", in: directory) : try coordOK("list", "--json", in: directory)
        return try parseJSON(output)["sessions"] as? [[String: Any]] ?? []
    }

    /// A repository with coordination on, and sessions "A" in the main worktree and "B" in worktree wt-b.
    public static func twoSessions() throws -> (scratch: Scratch, a: String, b: String, wtB: String) {
        let scratch = try Scratch()
        try scratch.coordOK("init")
        let wtB = try scratch.addWorktree("wt-b", branch: "feature-b")
        let a = try scratch.coordOK("start", "--name", "A", "--task", "Restyle the sidebar")
        let b = try scratch.coordOK("start", "--name", "B", "--task", "Move settings", in: wtB)
        return (scratch, a, b, wtB)
    }
}
