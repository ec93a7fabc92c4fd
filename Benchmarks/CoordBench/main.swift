// `make bench`: every performance target of git-coord, each printed as a ratio against git's own commands
// measured in the same run. One function per area, in its own file.
print("git-coord benchmark (\(coordBinaryDescription))")
PresenceBenchmark.run()
ClaimsBenchmark.run()
AgentHookBenchmark.run()
MessagingBenchmark.run()
SyncBenchmark.run()
