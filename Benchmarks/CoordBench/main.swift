// `make bench`: every performance target of git-coord, each printed as a ratio against git's own commands
// measured in the same run. One function per area, in its own file; `coord-bench AREA...` runs only those.
let areas: KeyValuePairs<String, () -> Void> = [
    "presence": PresenceBenchmark.run,
    "claims": ClaimsBenchmark.run,
    "agents": AgentHookBenchmark.run,
    "start": SessionStartBenchmark.run,
    "messaging": MessagingBenchmark.run,
    "inbox": InboxCostBenchmark.run,
    "sync": SyncBenchmark.run,
    "background": BackgroundSyncBenchmark.run,
    "wake": WakeBenchmark.run,
]
let chosen = Set(CommandLine.arguments.dropFirst())
if let unknown = chosen.first(where: { name in !areas.contains { $0.key == name } }) {
    fatalError("no benchmark area '\(unknown)'; the areas are \(areas.map(\.key).joined(separator: ", "))")
}
print("git-coord benchmark (\(coordBinaryDescription))")
for (name, run) in areas where chosen.isEmpty || chosen.contains(name) { run() }
