import Foundation
import Testing
@testable import GitCoordCore

/// The fast reader of records (`JSONScanner`) gives exactly what `JSONDecoder` gives, or gives up.
@Suite struct JSONScannerTests {
    static let index = LogIndex(from: 1, note: .init(seq: 5, blob: String(repeating: "a", count: 40)),
                                to: ["9d1e0c4a7b21": .init(seq: 6, blob: String(repeating: "b", count: 40))])

    static let records: [LogRecord] = [
        LogRecord(kind: .note, from: "46ab0b2c37ce", fromName: "alice", branch: "main", to: nil,
                  text: "plain", clock: 42, seq: 7, at: 1_764_016_729_123, index: index),
        LogRecord(kind: .message, from: "46ab0b2c37ce", fromName: "al\"ice\\", branch: nil, to: "9d1e0c4a7b21",
                  text: "tab\t nl\n cr\r esc\u{1B}[2J nul\u{0} slash/ quote\" é 日本 🦊 \u{7F}", clock: 1, seq: 1, at: 0, index: nil),
        LogRecord(kind: .note, from: "46ab0b2c37ce", fromName: "", branch: "feature/x", to: nil, text: "x",
                  clock: 1 << 53, seq: 1 << 53, at: -5, index: LogIndex(from: 3)),
    ]

    @Test func recordsAsGitCoordWritesThemScanAsJSONDecoderReadsThem() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for record in Self.records {
            let data = try encoder.encode(record)
            let scanned = try #require(LogRecord.scanned(data), "\(String(decoding: data, as: UTF8.self))")
            #expect(scanned == (try JSONDecoder().decode(LogRecord.self, from: data)))
            #expect(scanned == record)
        }
    }

    @Test func anythingElseIsLeftToJSONDecoderOrAgreesWithIt() throws {
        let samples = [
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1,"seq":1,"at":2}"#,
            #" { "version" : 1 , "kind" : "note" , "from" : "a" , "fromName" : "b" , "text" : "\u00e9\ud83e\udd8a\/" , "clock" : 1 , "seq" : 1 , "at" : 2 } "#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1,"seq":1,"at":2,"extra":true}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1.0,"seq":1,"at":2}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1,"seq":1,"at":2,"at":3}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1,"seq":1,"at":2,"index":"bad"}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1,"seq":1,"at":2,"index":{"from":1,"to":{"x":{"seq":1}}}}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"\ud800","clock":1,"seq":1,"at":2}"#,
            #"{"version":1,"kind":"other","from":"a","fromName":"b","text":"t","clock":1,"seq":1,"at":2}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":01,"seq":1,"at":2}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":99999999999999999999,"seq":1,"at":2}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1,"seq":1}"#,
            #"{"version":1,"kind":"note","from":"a","fromName":"b","text":"t","clock":1,"seq":1,"at":2} x"#,
            "{\"version\":1,\"kind\":\"note\",\"from\":\"a\",\"fromName\":\"b\",\"text\":\"raw\ncontrol\",\"clock\":1,\"seq\":1,\"at\":2}",
        ]
        for sample in samples {
            let data = Data(sample.utf8)
            let decoded = try? JSONDecoder().decode(LogRecord.self, from: data)
            if let scanned = LogRecord.scanned(data) {
                #expect(scanned == decoded, "\(sample)")
            }
        }
        #expect(LogRecord.scanned(Data(samples[1].utf8))?.text == "é🦊/")
        let invalidUTF8 = Data(#"{"version":1,"kind":"note","from":"a","fromName":"b","text":""#.utf8) + Data([0xFF])
            + Data(#"","clock":1,"seq":1,"at":2}"#.utf8)
        #expect(LogRecord.scanned(invalidUTF8) == nil)
    }

    @Test func claimRecordsScanAsJSONDecoderReadsThem() throws {
        let victim = Takeover.Victim(session: "d482ad41b9db", name: "bob", pattern: "src/**", state: .holderEnded, at: 5)
        let records = [
            ClaimRecord(pattern: "src/a.js", kind: .file, session: "46ab0b2c37ce", name: "alice", reason: nil,
                        claimed: 1, renewed: 2, expires: 3, released: nil, takenFrom: nil, overrode: nil),
            ClaimRecord(pattern: "src/[id].js \"q\"", kind: .pattern, session: "46ab0b2c37ce", name: "al\u{1B}ice",
                        reason: "new colours é", claimed: 1, renewed: 2, expires: 3, released: 4,
                        takenFrom: victim, overrode: [victim, victim]),
            ClaimRecord(pattern: "", kind: .directory, session: "46ab0b2c37ce", name: "alice", reason: "",
                        claimed: 1, renewed: 2, expires: 3, released: nil, takenFrom: nil, overrode: []),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for record in records {
            let data = try encoder.encode(record)
            let scanned = try #require(ClaimRecord.scanned(data), "\(String(decoding: data, as: UTF8.self))")
            #expect(scanned == (try JSONDecoder().decode(ClaimRecord.self, from: data)))
            #expect(scanned == record)
        }
        let unknownState = Data(#"{"version":1,"pattern":"a","kind":"file","session":"s","name":"n","claimed":1,"renewed":2,"expires":3,"takenFrom":{"session":"s","name":"n","pattern":"a","state":"gone","at":1}}"#.utf8)
        #expect(ClaimRecord.scanned(unknownState) == nil)
    }
}
