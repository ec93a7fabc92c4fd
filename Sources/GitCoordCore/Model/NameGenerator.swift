/// Readable default session names ("amber-otter"), drawn from the session id so that two sessions started in
/// the same instant pick different ones, and steered away from names live sessions use.
enum NameGenerator {
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
