// libFuzzer target: the record payloads another clone can write (session, log, cursor, claim), through the core's
// own decoding and checks. Properties: nothing crashes; what decodes re-encodes (as the core writes it) to a payload
// that decodes to the same record; display of any text field stays free of invisible code points.
// Built by `make fuzz` / `make test` only (Package.swift adds it when GIT_COORD_FUZZ=1).
@testable import GitCoordCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecords(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let data = Data(UnsafeBufferPointer(start: start, count: count))
    roundTrip(SessionRecord.self, data) { [$0.id, $0.name, $0.task, $0.worktree, $0.host] + $0.touched.map(\.path) }
    roundTrip(LogRecord.self, data) { record in
        _ = record.problem(owner: record.from)
        _ = try? MessageText.validated(record.text)
        return [record.text, record.fromName, record.itemID]
    }
    roundTrip(CursorRecord.self, data) { Array($0.positions.keys) }
    roundTrip(ClaimRecord.self, data) { record in
        let matcher = ClaimMatcher(record.claimPattern)
        _ = matcher.covers(record.pattern)
        _ = matcher.overlaps(ClaimMatcher(ClaimPattern(text: record.name, kind: .pattern)))
        _ = record.claimPattern.refName
        return [record.pattern, record.name, record.reason ?? ""]
    }
    return 0
}

private func roundTrip<Record: Codable & Equatable>(_ type: Record.Type, _ data: Data, texts: (Record) -> [String]) {
    guard let record = try? JSONDecoder().decode(Record.self, from: data) else { return }
    guard let encoded = try? RecordStore.recordEncoder.encode(record) else { fatalError("a decoded \(type) does not encode") }
    guard let again = try? JSONDecoder().decode(Record.self, from: encoded), again == record else {
        fatalError("\(type) does not survive a round trip: \(String(decoding: encoded, as: UTF8.self))")
    }
    for text in texts(record) where Display.hasUnsafe(Display.neutralised(text)) {
        fatalError("neutralised text still holds an invisible code point: \(Array(text.unicodeScalars))")
    }
}
