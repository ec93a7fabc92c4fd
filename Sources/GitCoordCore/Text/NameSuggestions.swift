/// "Did you mean": the names closest to one that was mistyped.
public enum NameSuggestions {
    /// Up to three of `names` within a small edit distance of `typed` (or containing it), closest first.
    public static func closest(to typed: String, among names: [String]) -> [String] {
        let limit = max(2, typed.count / 3)
        return names.map { ($0, distance(typed.lowercased(), $0.lowercased())) }
            .filter { $0.1 <= limit || $0.0.lowercased().contains(typed.lowercased()) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(3).map(\.0)
    }

    /// Levenshtein distance (insertions, deletions, substitutions), on characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + [Int](repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
