// libFuzzer target: a coding agent's hook event on stdin, through the public entry points the hook command uses
// (JSONParser, then each agent dialect's event parser). Properties: nothing crashes or runs away; what parses
// writes back (compact and pretty) to JSON that parses to the same value.
// Built by `make fuzz` / `make test` only (Package.swift adds it when GIT_COORD_FUZZ=1).
import GitCoordAgents

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentEvents(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    guard let json = try? JSONParser.parse(bytes) else { return 0 }
    for agent in AgentKind.allCases {
        _ = try? AgentHook.event(agent: agent, input: bytes)
    }
    for written in [JSONWriter.compact(json), JSONWriter.pretty(json)] {
        guard let again = try? JSONParser.parse(written), again == json else { fatalError("JSON does not survive a round trip: \(written)") }
    }
    return 0
}
