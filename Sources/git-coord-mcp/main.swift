import GitCoordMCP
#if canImport(Glibc)
import Glibc
#endif

// `git-coord-mcp --version` exits at once: the benchmark times the start-up of a binary with the MCP SDK linked.
if CommandLine.arguments.dropFirst().first == "--version" {
    print("git-coord-mcp \(CoordServer.version)")
    exit(0)
}
do {
    try await CoordServer.run()
} catch {
    let line = Array("git-coord-mcp: \(error)\n".utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    exit(1)
}
