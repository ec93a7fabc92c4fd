// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "git-coord",
    products: [
        .executable(name: "git-coord", targets: ["git-coord"]),
        .executable(name: "git-coord-mcp", targets: ["git-coord-mcp"]),
        .library(name: "GitCoordCore", targets: ["GitCoordCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        // libgit2 from Debian's libgit2-dev (1.5.1), behind one small module. Its module map links the static
        // libgit2.a and its dependencies (see Sources/CLibGit2/module.modulemap for why).
        .systemLibrary(
            name: "CLibGit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Process start-up help for libgit2 (see startup.c for why it exists).
        .target(name: "CGitCoordStartup", dependencies: ["CLibGit2"]),
        // The process calls Swift cannot make itself (variadic in C, or only under _GNU_SOURCE): pidfd_open(2),
        // prctl(2), signalfd(2), posix_spawn_file_actions_addclosefrom_np(3).
        .target(name: "CGitCoordProcess"),
        // The operating system's calls (files, locks, stdin, environment, file-change notifications, processes),
        // EINTR and errno handled once.
        .target(name: "GitCoordSystem", dependencies: ["CGitCoordProcess"]),
        // Everything about repositories, records and sessions; nothing about the command line.
        .target(name: "GitCoordCore", dependencies: ["CLibGit2", "CGitCoordStartup", "GitCoordSystem"]),
        // The coding agents' hook protocols (Claude Code, Codex, Gemini CLI): parse an event, decide, render.
        // No command line and no libgit2 here; the core does the storage.
        .target(name: "GitCoordAgents", dependencies: ["GitCoordCore", "GitCoordSystem"]),
        // The stdio MCP server, in its own executable: the MCP SDK pulls in full Foundation, which the hot-path
        // hook binary must not load (see docs/design.md, "The MCP server binary").
        .target(
            name: "GitCoordMCP",
            dependencies: ["GitCoordCore", "GitCoordAgents", "GitCoordSystem", "GitCoordVersion", .product(name: "MCP", package: "swift-sdk")]
        ),
        .executableTarget(name: "git-coord-mcp", dependencies: ["GitCoordMCP"]),
        // The version both binaries print, from `git describe` at build time (scripts/version.sh), in a module of
        // its own so that a new version recompiles one line.
        .target(name: "GitCoordVersion", plugins: ["VersionStamp"]),
        .plugin(name: "VersionStamp", capability: .buildTool()),
        // One struct per subcommand, on top of the core.
        .target(
            name: "GitCoordCommands",
            dependencies: [
                "GitCoordCore",
                "GitCoordAgents",
                "GitCoordVersion",
                "GitCoordSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "git-coord", dependencies: ["GitCoordCommands"]),
        // Shared by the tests and the benchmark: scratch repositories and a way to run the real binary.
        .target(name: "CoordTestSupport", path: "Tests/CoordTestSupport"),
        // End to end through the real binary, plus the pure rules (record kinds, resolvers, fork rules, parsers) tested
        // directly, where that is the natural level.
        .testTarget(name: "GitCoordTests", dependencies: ["CoordTestSupport", "CGitCoordStartup", "CLibGit2", "GitCoordCore",
                                                          "GitCoordAgents", "GitCoordSystem"], exclude: ["Fixtures"]),
        .executableTarget(name: "coord-bench", dependencies: ["CoordTestSupport"], path: "Benchmarks/CoordBench"),
        // Writes the manual pages and completion scripts from the binary's own description of its commands and the
        // README, at build time (make install, make dist); not shipped.
        .executableTarget(name: "git-coord-docs", path: "Tools/GitCoordDocs"),
    ]
)

// libFuzzer targets (Tests/Fuzz/), added only when GIT_COORD_FUZZ=1: `make fuzz` and `make test` build them with
// `--sanitize fuzzer` into their own scratch path (.build-fuzz), so the ordinary build never compiles them.
if Context.environment["GIT_COORD_FUZZ"] == "1" {
    for (name, module) in [("fuzz-records", "GitCoordCore"), ("fuzz-paths", "GitCoordCore"), ("fuzz-agent-events", "GitCoordAgents")] {
        package.targets.append(.executableTarget(name: name, dependencies: [.target(name: module)], path: "Tests/Fuzz/\(name)"))
    }
}
