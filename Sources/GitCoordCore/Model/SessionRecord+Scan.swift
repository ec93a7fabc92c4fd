#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Session records read by `JSONScanner`: every hook and `list` reads all of them. A key this does not know (a field
// added to SessionRecord) makes it give up, and JSONDecoder reads the record: the same value, only slower
// (JSONScannerTests notices a field added here but not there).
extension SessionRecord: ScannableRecord {
    static let scannedKeys: [StaticString] = [
        "version", "id", "name", "agent", "agentSessionID", "task", "branch", "head", "worktree", "host", "started",
        "seen", "ended", "touched", "changed", "clone", "scanned", "startClock", "taskSource", "process",
    ]

    static func scanned(_ data: Data) -> SessionRecord? {
        try? JSONScanner.scan(data) { scanner in
            var version: Int64?, id: String?, name: String?, agent: String?, agentSessionID: String?, task: String?
            var branch: String?, head: String?, worktree: String?, host: String?, started: Int64?, seen: Int64?
            var ended: Int64?, touched: [TouchedFile]?, changed: [TouchedFile]?, clone: String?, scanned: Int64?
            var startClock: Int64?, taskSource: TaskSource?, process: ProcessIdentity?
            try scanner.object(keys: scannedKeys) { scanner, key in
                switch key {
                case 0: version = try scanner.integer()
                case 1: id = try scanner.string()
                case 2: name = try scanner.string()
                case 3: agent = try scanner.optionalString()
                case 4: agentSessionID = try scanner.optionalString()
                case 5: task = try scanner.string()
                case 6: branch = try scanner.optionalString()
                case 7: head = try scanner.optionalString()
                case 8: worktree = try scanner.string()
                case 9: host = try scanner.string()
                case 10: started = try scanner.integer()
                case 11: seen = try scanner.integer()
                case 12: ended = try scanner.optionalInteger()
                case 13: touched = try TouchedFile.scanList(&scanner)
                case 14: changed = try TouchedFile.scanList(&scanner)
                case 15: clone = try scanner.optionalString()
                case 16: scanned = try scanner.optionalInteger()
                case 17: startClock = try scanner.optionalInteger()
                case 18: taskSource = scanner.null() ? nil : try scanner.value(TaskSource.self)
                default: process = scanner.null() ? nil : try ProcessIdentity.scan(&scanner)
                }
            }
            guard let version, let versionInt = Int(exactly: version), let id, let name, let task, let worktree, let host,
                  let started, let seen, let touched, let changed else { throw JSONScanner.Unsupported() }
            var record = SessionRecord(id: id, name: name, agent: agent, agentSessionID: agentSessionID, task: task,
                                       branch: branch, head: head, worktree: worktree, host: host, started: started,
                                       seen: seen, ended: ended, touched: touched, changed: changed)
            record.version = versionInt
            record.clone = clone
            record.scanned = scanned
            record.startClock = startClock
            record.taskSource = taskSource
            record.process = process
            return record
        }
    }
}

extension TouchedFile {
    static func scanList(_ scanner: inout JSONScanner) throws -> [TouchedFile] {
        var files: [TouchedFile] = []
        try scanner.array { scanner in
            var path: String?, at: Int64?
            try scanner.object(keys: ["path", "at"]) { scanner, key in
                if key == 0 { path = try scanner.string() } else { at = try scanner.integer() }
            }
            guard let path, let at else { throw JSONScanner.Unsupported() }
            files.append(TouchedFile(path: path, at: at))
        }
        return files
    }
}

extension ProcessIdentity {
    static let scannedKeys: [StaticString] = ["pid", "started", "boot", "namespace"]

    static func scan(_ scanner: inout JSONScanner) throws -> ProcessIdentity {
        var pid: Int64?, started: Int64?, boot: String?, namespace: String?
        try scanner.object(keys: scannedKeys) { scanner, key in
            switch key {
            case 0: pid = try scanner.integer()
            case 1: started = try scanner.integer()
            case 2: boot = try scanner.string()
            default: namespace = try scanner.optionalString()
            }
        }
        guard let pid, let pid32 = Int32(exactly: pid), let started, let startedU = UInt64(exactly: started), let boot else {
            throw JSONScanner.Unsupported()
        }
        return ProcessIdentity(pid: pid32, started: startedU, boot: boot, namespace: namespace)
    }
}
