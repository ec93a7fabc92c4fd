import CoordTestSupport
import Foundation
import Testing

/// The agents' documented hook payloads, kept as JSON files under Fixtures/<agent>/, with {{PLACEHOLDERS}} for
/// what differs per test (session id, folder, file).
enum AgentFixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func payload(_ agent: String, _ name: String, _ values: [String: String]) throws -> Data {
        var text = try String(contentsOf: folder.appendingPathComponent("\(agent)/\(name).json"), encoding: .utf8)
        for (key, value) in values {
            // Values go inside JSON strings: escape them as JSON does.
            let encoded = String(decoding: try JSONEncoder().encode(value), as: UTF8.self).dropFirst().dropLast()
            text = text.replacingOccurrences(of: "{{\(key)}}", with: String(encoded))
        }
        #expect(!text.contains("{{"), "fixture \(agent)/\(name) has an unfilled placeholder")
        return Data(text.utf8)
    }
}

/// One hook call through the real binary, and what came back.
struct HookRun {
    let result: ProcessResult

    var json: [String: Any]? {
        guard !result.stdout.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }
    var specific: [String: Any]? { json?["hookSpecificOutput"] as? [String: Any] }
    var context: String? { specific?["additionalContext"] as? String }
    var decision: String? { specific?["permissionDecision"] as? String }
    var reason: String? { specific?["permissionDecisionReason"] as? String }
}

extension Scratch {
    /// Sends a fixture to `git coord hook <agent>` in `directory`, as the agent would (cwd in the payload too).
    func hook(_ agent: String, _ fixture: String, session: String, in directory: String? = nil,
              values: [String: String] = [:], env: [String: String] = [:]) throws -> HookRun {
        let cwd = directory ?? repo
        var all = ["SESSION_ID": session, "CWD": cwd, "SOURCE": "startup", "REASON": "prompt_input_exit"]
        all.merge(values) { $1 }
        // As the agents do: Claude Code and Gemini CLI name the project folder in the hook's environment (and a test
        // run from inside an agent must not act on that agent's project).
        var environment = ["CLAUDE_PROJECT_DIR": agent == "claude" ? cwd : "", "GEMINI_PROJECT_DIR": agent == "gemini" ? cwd : ""]
        environment.merge(env) { $1 }
        let result = try coord(["hook", agent], in: cwd, env: environment, stdin: try AgentFixture.payload(agent, fixture, all))
        #expect(result.status == 0, "a hook must always exit 0: \(result)")
        if !result.stdout.isEmpty {
            #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) != nil, "stdout is not JSON: \(result)")
        }
        return HookRun(result: result)
    }

    /// The sessions `git coord list --all --json` reports.
    func sessionsJSON(all: Bool = true) throws -> [[String: Any]] {
        let output = try coordOK(all ? "list" : "list", all ? "--all" : "--files=5", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return object?["sessions"] as? [[String: Any]] ?? []
    }
}
