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

    @Test func theScannersKnowEveryField() {
        // A field added to a record but not to its scanner would make every such record read by JSONDecoder again.
        #expect(Mirror(reflecting: Self.records[0]).children.count == LogRecord.scannedKeys.count, "LogRecord+Scan.swift")
        let claim = ClaimRecord(pattern: "a", kind: .file, session: "s", name: "n", reason: nil, claimed: 1, renewed: 1,
                                expires: 1, released: nil, takenFrom: nil, overrode: nil)
        #expect(Mirror(reflecting: claim).children.count == ClaimRecord.scannedKeys.count, "ClaimRecord+Scan.swift")
    }

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
        var told = victim
        told.told = true
        let records = [
            ClaimRecord(pattern: "src/a.js", kind: .file, session: "46ab0b2c37ce", name: "alice", reason: nil,
                        claimed: 1, renewed: 2, expires: 3, released: nil, takenFrom: nil, overrode: nil),
            ClaimRecord(pattern: "src/[id].js \"q\"", kind: .pattern, session: "46ab0b2c37ce", name: "al\u{1B}ice",
                        reason: "new colours é", claimed: 1, renewed: 2, expires: 3, released: 4,
                        takenFrom: told, overrode: [victim, victim]),
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
        // null, true and false as another writer may put them (JSONEncoder leaves nil out).
        for told in ["true", "false", "null"] {
            let literals = Data(#"{"version":1,"pattern":"a","kind":"file","session":"s","name":"n","reason":null,"claimed":1,"renewed":2,"expires":3,"released":null,"takenFrom":{"session":"s","name":"n","pattern":"a","state":"holder-ended","at":1,"told":\#(told)},"overrode":null}"#.utf8)
            let scanned = try #require(ClaimRecord.scanned(literals), "\(told)")
            #expect(scanned == (try JSONDecoder().decode(ClaimRecord.self, from: literals)))
            #expect(scanned.takenFrom?.told == (told == "null" ? nil : told == "true"))
        }
        #expect(ClaimRecord.scanned(Data(#"{"version":1,"pattern":"a","kind":"file","session":"s","name":"n","reason":nul,"claimed":1,"renewed":2,"expires":3}"#.utf8)) == nil)
    }

    @Test func sessionRecordsScanAsJSONDecoderReadsThem() throws {
        var full = SessionRecord(id: "46ab0b2c37ce", name: "amber-otter", agent: "claude", agentSessionID: "3f1e-uuid",
                                 task: "Restyle \"the\" sidebar ⌘", branch: "feature/sidebar", head: "b35c1147e8f4",
                                 worktree: "/home/me/app wt", host: "laptop", started: 1, seen: 2, ended: 3,
                                 touched: [TouchedFile(path: "src/Sidebar.jsx", at: 4)],
                                 changed: [TouchedFile(path: "src/App.jsx", at: 5), TouchedFile(path: "a b", at: 6)])
        full.clone = "0123456789ab"
        full.scanned = 7
        full.startClock = 8
        full.taskSource = .title
        full.process = ProcessIdentity(pid: 4242, started: 123_456_789, boot: "b00t", namespace: "pid:[4026531836]")
        #expect(Mirror(reflecting: full.process!).children.count == ProcessIdentity.scannedKeys.count, "SessionRecord+Scan.swift")
        // Every stored property is set, and the scanner knows every key: a field added to SessionRecord but not to
        // its scanner would make every session read by JSONDecoder again (correct, and slow).
        let properties = Mirror(reflecting: full).children.compactMap(\.label)
        #expect(properties.count == SessionRecord.scannedKeys.count,
                "SessionRecord has \(properties); teach SessionRecord.scanned (SessionRecord+Scan.swift) the new keys")
        #expect(Mirror(reflecting: full).children.allSatisfy { child in
            Mirror(reflecting: child.value).displayStyle != .optional || Mirror(reflecting: child.value).children.count == 1
        }, "the sample sets every optional field")
        let bare = SessionRecord(id: "46ab0b2c37ce", name: "a", agent: nil, agentSessionID: nil, task: "", branch: nil,
                                 head: nil, worktree: "/w", host: "h", started: 1, seen: 1, ended: nil, touched: [], changed: [])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for record in [full, bare] {
            let data = try encoder.encode(record)
            let scanned = try #require(SessionRecord.scanned(data), "\(String(decoding: data, as: UTF8.self))")
            #expect(scanned == (try JSONDecoder().decode(SessionRecord.self, from: data)))
            #expect(scanned == record)
        }
    }
}
