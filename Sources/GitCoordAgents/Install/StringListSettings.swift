/// Lists of strings inside a settings file that git-coord adds its own members to: Claude Code's
/// `permissions.allow` and `enabledMcpjsonServers`. Members are added at the end, once; `--uninstall` takes out
/// exactly git-coord's members (they name git-coord, so none is a user's), and a list or object that only held
/// them goes too. Anything that is not a list of strings where one is expected is left alone.
enum StringListSettings {
    /// `settings` with each of `values` in the list at `keyPath` (created when missing).
    static func adding(_ values: [String], at keyPath: [String], in settings: JSONValue) -> JSONValue {
        edit(settings, keyPath[...]) { list in
            var items = list ?? []
            let present = Set(items.compactMap(\.stringValue))
            items += values.filter { !present.contains($0) }.map(JSONValue.string)
            return items
        }
    }

    /// `settings` without `values` in the list at `keyPath`.
    static func removing(_ values: [String], at keyPath: [String], in settings: JSONValue) -> JSONValue {
        let unwanted = Set(values)
        return edit(settings, keyPath[...]) { list in
            guard let list else { return nil }
            let kept = list.filter { !($0.stringValue.map(unwanted.contains) ?? false) }
            return kept.isEmpty ? nil : kept
        }
    }

    /// Applies `change` to the array at `keyPath` (nil: absent); a nil result removes the key, and an object left
    /// empty by that goes too. Unchanged when something on the way is of another type.
    private static func edit(_ value: JSONValue, _ keyPath: ArraySlice<String>,
                             _ change: ([JSONValue]?) -> [JSONValue]?) -> JSONValue {
        guard value.isObject, let key = keyPath.first else { return value }
        var result = value
        let current = value[key]
        if keyPath.count == 1 {
            if let current, current.arrayValue == nil { return value }
            let next = change(current?.arrayValue)
            if next == current?.arrayValue { return value }
            if let next { result.set(key, .array(next)) } else { result.remove(key) }
            return result
        }
        if let current, !current.isObject { return value }
        let inner = edit(current ?? .object([]), keyPath.dropFirst(), change)
        if inner == current ?? .object([]) { return value }
        if case .object(let members) = inner, members.isEmpty { result.remove(key) } else { result.set(key, inner) }
        return result
    }
}
