/// The network side of sync, through the user's own `git` (see docs/design.md, "Sync: transport"): their
/// credential helpers, ssh config and protocol v2 work exactly as for their own pushes, which libgit2 1.5.1's
/// libssh2 transport cannot promise. Only transport goes through git; every record is read and written by libgit2.
struct GitTransport {
    let remote: String
    /// Where git runs: the worktree or the shared .git folder.
    let directory: String
    /// Set in unattended runs (`sync --watch`), so git fails instead of waiting for a password nobody will type.
    var unattended = false

    /// `+refs/coord/v1/*:refs/coord-remotes/<remote>/v1/*`: a mirror of the remote's coordination refs.
    var fetchRefspec: String { "+" + RefLayout.root + "*:" + RefLayout.remoteRoot(remote) + "*" }

    /// Fetches the remote's refs/coord/v1/* into our own namespace; `--prune` drops only what that refspec mirrors.
    func fetch() throws {
        let result = try git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--prune",
                              "--no-auto-maintenance", remote, fetchRefspec])
        guard result.succeeded else {
            throw CoordError.remoteFailed(remote: remote, action: "fetch from", detail: Self.summary(of: result.stderr))
        }
    }

    struct PushItem {
        let ref: String
        let new: ObjectID
        /// What we last fetched for this ref (nil: it must not exist there yet). The push is a compare-and-swap on
        /// the server against this value (`--force-with-lease=<ref>:<expected>`).
        let expected: ObjectID?
    }

    enum PushStatus: Equatable {
        case accepted
        case upToDate
        /// The remote moved since we fetched (lease failed): fetch and integrate again.
        case stale
        case refused(String)
    }

    /// Pushes each ref explicitly (libgit2 and plain git both refuse glob push refspecs), every one a
    /// compare-and-swap on the server, and returns each ref's own result from `--porcelain`. `atomic`: all or none.
    func push(_ items: [PushItem], atomic: Bool = false) throws -> [String: PushStatus] {
        var statuses: [String: PushStatus] = [:]
        // Bounded command lines: a few hundred refs per git push.
        for start in stride(from: 0, to: items.count, by: 400) {
            let batch = items[start..<min(start + 400, items.count)]
            // --no-verify: the user's pre-push hook guards their branches, not these records (and may be slow).
            var arguments = ["push", "--porcelain", "--no-verify"]
            if atomic { arguments.append("--atomic") }
            arguments.append(remote)
            for item in batch { arguments.append("--force-with-lease=\(item.ref):\(item.expected?.hex ?? "")") }
            for item in batch { arguments.append("\(item.new.hex):\(item.ref)") }
            let result = try git(arguments)
            let parsed = Self.parsePorcelain(result.stdout)
            for item in batch where parsed[item.ref] == nil {
                // No status line for a ref we asked for: the push never got that far (unreachable, auth).
                guard result.succeeded else {
                    throw CoordError.remoteFailed(remote: remote, action: "push to", detail: Self.summary(of: result.stderr))
                }
                statuses[item.ref] = .refused("no status reported by git push")
            }
            statuses.merge(parsed) { $1 }
        }
        return statuses
    }

    /// Reads `git push --porcelain` lines: `<flag>\t<from>:<to>\t<summary> (<reason>)`.
    static func parsePorcelain(_ output: String) -> [String: PushStatus] {
        var statuses: [String: PushStatus] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let flag = fields[0].first, let colon = fields[1].lastIndex(of: ":") else { continue }
            let ref = String(fields[1][fields[1].index(after: colon)...])
            let summary = String(fields[2])
            switch flag {
            case " ", "+", "*", "-": statuses[ref] = .accepted
            case "=": statuses[ref] = .upToDate
            case "!": statuses[ref] = summary.contains("stale info") ? .stale : .refused(reasonText(summary))
            default: statuses[ref] = .refused(summary)
            }
        }
        return statuses
    }

    /// "[remote rejected] (pre-receive hook declined)" -> "remote rejected: pre-receive hook declined".
    static func reasonText(_ summary: String) -> String {
        let cleaned = String(summary.filter { $0 != "[" && $0 != "]" })
        if let open = cleaned.firstIndex(of: "("), cleaned.hasSuffix(")") {
            let head = trimmed(cleaned[..<open])
            let reason = cleaned[cleaned.index(after: open)..<cleaned.index(before: cleaned.endIndex)]
            return "\(head): \(reason)"
        }
        return cleaned
    }

    /// The last meaningful lines of git's stderr, for an error message.
    static func summary(of stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map(trimmed).filter { !$0.isEmpty }
        return lines.suffix(3).joined(separator: "; ")
    }

    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    private func git(_ arguments: [String]) throws -> Subprocess.Result {
        var environment: [String: String] = ["LC_ALL": "C"]  // porcelain and messages in one language, to parse
        if unattended { environment["GIT_TERMINAL_PROMPT"] = "0" }
        return try Subprocess.run(["git", "-C", directory] + arguments, extraEnvironment: environment)
    }
}
