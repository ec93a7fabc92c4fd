/// Default session names people can guess: from where the session works (`ui-fixes` for branch `ui/fixes`, the
/// worktree's folder when HEAD is detached), made unique with a number (`ui-fixes-2`); a readable random name
/// ("amber-otter") only when neither gives one.
enum NameGenerator {
    /// The name a branch or worktree folder suggests: letters, digits, '.', '_' and '-' only (anything else becomes
    /// '-'), starting with a letter or digit, at most 36 characters (room for a "-NN" suffix); nil when nothing is left.
    static func base(branch: String?, worktree: String) -> String? {
        let source = branch ?? String(worktree.split(separator: "/").last ?? "")
        var name = ""
        for scalar in source.unicodeScalars {
            let safe = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
            let next: Character = safe ? Character(scalar) : "-"
            if next == "-" && (name.last == "-" || name.last == ".") { continue }
            if next == "." && (name.last == "." || name.last == "-") { continue }
            name.append(next)
        }
        while let first = name.first, !(first.isLetter || first.isNumber) { name.removeFirst() }
        name = String(name.prefix(36))
        while let last = name.last, last == "-" || last == "." || last == "_" { name.removeLast() }
        if name.hasSuffix(".lock") { name.removeLast(5) }
        return name.isEmpty ? nil : name
    }

    /// `base`, then `base-2` ... `base-9`, skipping those in `avoiding`; then the random names.
    static func candidates(base: String?, seed: String, avoiding taken: Set<String>) -> [String] {
        guard let base else { return candidates(seed: seed, avoiding: taken) }
        let numbered = [base] + (2...9).map { "\(base)-\($0)" }
        return numbered.filter { !taken.contains($0) } + candidates(seed: seed, avoiding: taken)
    }

    static let adjectives = [
        "amber", "brisk", "calm", "clever", "coral", "crisp", "dapper", "eager", "fleet", "gentle", "golden", "hardy",
        "indigo", "jolly", "keen", "lively", "lucid", "mellow", "nimble", "olive", "plucky", "quiet", "rapid", "rustic",
        "sage", "silver", "steady", "sunny", "swift", "tidy", "vivid", "witty",
    ]
    static let animals = [
        "badger", "beaver", "bison", "crane", "dingo", "egret", "falcon", "ferret", "gecko", "heron", "ibis", "jackal",
        "koala", "lemur", "lynx", "marten", "narwhal", "ocelot", "otter", "panda", "puffin", "quokka", "raven", "robin",
        "seal", "stoat", "tapir", "toucan", "vole", "walrus", "wombat", "yak",
    ]

    /// Every name, starting at the one the seed picks, skipping those in `avoiding`; then the same with suffixes.
    static func candidates(seed: String, avoiding taken: Set<String>) -> [String] {
        let value = Int(UInt64(seed, radix: 16) ?? UInt64(seed.hashValue.magnitude))
        let count = adjectives.count * animals.count
        var names: [String] = []
        for offset in 0..<count {
            let index = (value + offset * 7919) % count  // 7919 is prime to 1024: visits every name once
            let name = adjectives[index / animals.count] + "-" + animals[index % animals.count]
            if !taken.contains(name) { names.append(name) }
            if names.count == 16 { break }
        }
        names.append(adjectives[value % adjectives.count] + "-" + animals[(value / 7) % animals.count] + "-" + String(seed.prefix(4)))
        return names
    }
}
