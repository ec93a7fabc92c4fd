// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "git-coord",
    products: [
        .executable(name: "git-coord", targets: ["git-coord"]),
        .library(name: "GitCoordCore", targets: ["GitCoordCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libgit2 from Debian's libgit2-dev (1.5.1), behind one small module.
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Process start-up help for libgit2 (see startup.c for why it exists).
        .target(name: "CGitCoordStartup", dependencies: ["CLibGit2"]),
        // Everything about repositories, records and sessions; nothing about the command line.
        .target(name: "GitCoordCore", dependencies: ["CLibGit2", "CGitCoordStartup"]),
        // One struct per subcommand, on top of the core.
        .target(
            name: "GitCoordCommands",
            dependencies: [
                "GitCoordCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "git-coord", dependencies: ["GitCoordCommands"]),
        // Shared by the tests and the benchmark: scratch repositories and a way to run the real binary.
        .target(name: "CoordTestSupport", path: "Tests/CoordTestSupport"),
        .testTarget(name: "GitCoordTests", dependencies: ["CoordTestSupport"]),
        .executableTarget(name: "coord-bench", dependencies: ["CoordTestSupport"], path: "Benchmarks/CoordBench"),
    ]
)
