/// The hook configuration git-coord adds to an agent's settings file, and how it is merged in and taken out.
///
/// A hook entry is git-coord's when its `command` is exactly `git coord hook <agent>`; nothing else in the file
/// is read or changed, and members keep their order. Installing twice changes nothing; uninstalling takes out
/// exactly what installing put in.
enum HookSettings {
    static func groupValue(_ group: HookGroup, dialect: any AgentDialect) -> JSONValue {
        var members: [JSONValue.Member] = []
        if let matcher = group.matcher { members.append(.init("matcher", .string(matcher))) }
        members.append(.init("hooks", .array([dialect.hookEntry(command: dialect.hookCommand, group: group)])))
        return .object(members)
    }

    /// `settings` with git-coord's hooks for `agent` in place (unchanged when they already are, exactly).
    static func installed(_ settings: JSONValue, dialect: any AgentDialect) -> JSONValue {
        let wanted = dialect.hookGroups.map { ($0.event, groupValue($0, dialect: dialect)) }
        if ours(in: settings, command: dialect.hookCommand).map({ [$0.event, JSONWriter.compact($0.group)] })
            == wanted.map({ [$0.0, JSONWriter.compact($0.1)] }) {
            return settings
        }
        var result = removed(settings, command: dialect.hookCommand)
        var hooks = result["hooks"] ?? .object([])
        if !hooks.isObject { hooks = .object([]) }
        for (event, group) in wanted {
            var list = hooks[event]?.arrayValue ?? []
            list.append(group)
            hooks.set(event, .array(list))
        }
        result.set("hooks", hooks)
        return result
    }

    /// `settings` without git-coord's hook entries for `agent`; groups, event lists and the `hooks` object that
    /// only held them go too, everything else stays.
    static func removed(_ settings: JSONValue, command ourCommand: String) -> JSONValue {
        guard settings.isObject, case .object(var events)? = settings["hooks"] else { return settings }
        var emptied = Set<String>()
        for index in events.indices {
            guard case .array(let groups) = events[index].value else { continue }
            var kept: [JSONValue] = []
            var touched = false
            for group in groups {
                guard case .array(let entries)? = group["hooks"] else { kept.append(group); continue }
                let remaining = entries.filter { $0["command"]?.stringValue != ourCommand }
                if remaining.count == entries.count {
                    kept.append(group)
                    continue
                }
                touched = true
                if !remaining.isEmpty {
                    var trimmed = group
                    trimmed.set("hooks", .array(remaining))
                    kept.append(trimmed)
                }
            }
            events[index].value = .array(kept)
            if touched && kept.isEmpty { emptied.insert(events[index].key) }
        }
        events.removeAll { emptied.contains($0.key) }
        var result = settings
        if events.isEmpty && !emptied.isEmpty { result.remove("hooks") } else { result.set("hooks", .object(events)) }
        return result
    }

    /// git-coord's groups in `settings`, in file order (a group holding our entry, as it stands).
    private static func ours(in settings: JSONValue, command: String) -> [(event: String, group: JSONValue)] {
        guard case .object(let events)? = settings["hooks"] else { return [] }
        var found: [(String, JSONValue)] = []
        for member in events {
            for group in member.value.arrayValue ?? [] {
                if (group["hooks"]?.arrayValue ?? []).contains(where: { $0["command"]?.stringValue == command }) {
                    found.append((member.key, group))
                }
            }
        }
        return found
    }

    // MARK: MCP server registration (`mcpServers`, as Claude Code's .mcp.json and Gemini's settings.json hold it)

    static let mcpServerName = "git-coord"
    static let mcpServer: JSONValue = .object(["command": .string("git"), "args": .array([.string("coord"), .string("mcp")])])

    static func withMCPServer(_ settings: JSONValue) -> JSONValue {
        guard settings.isObject else { return settings }
        var servers = settings["mcpServers"] ?? .object([])
        if !servers.isObject { return settings }
        if servers[mcpServerName] == mcpServer { return settings }
        servers.set(mcpServerName, mcpServer)
        var result = settings
        result.set("mcpServers", servers)
        return result
    }

    static func withoutMCPServer(_ settings: JSONValue) -> JSONValue {
        guard var servers = settings["mcpServers"], servers[mcpServerName] == mcpServer else { return settings }
        servers.remove(mcpServerName)
        var result = settings
        if case .object(let remaining) = servers, remaining.isEmpty { result.remove("mcpServers") } else { result.set("mcpServers", servers) }
        return result
    }
}
