import ArgumentParser
import GitCoordCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ClaimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Claim files, directories or patterns for the session, so that others are warned off.",
        discussion: """
        A claim is advisory and exclusive: 'git coord check', the pre-commit hook and the agents' edit hooks \
        tell every other session about it. Patterns are git pathspecs ('src/components/**', '*.css'); a \
        directory covers everything below it. Paths are relative to the current directory.

        A claim that overlaps another live session's claim is refused (exit 1) naming the holder, its task, \
        since when and until when, and nothing is claimed. Claiming again what you hold extends it. A claim \
        past its --ttl (default coord.claimTTL, else 1h), released, or whose session ended or went stale can \
        be taken; --force takes a live one (the takeover is recorded for its holder).

          git coord claim src/pages/AdminDashboard.jsx --reason "adding the nav item"
          git coord claim 'src/components/**' --ttl 2h
          git coord claim -- -odd-name.js    # '--' before a path starting with '-'
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Option(help: ArgumentHelp("How long the claim lasts (90s, 30m, 2h; default coord.claimTTL, else 1h).", valueName: "duration"))
    var ttl: String?

    @Option(help: "Why, in one line (shown to the others).")
    var reason: String?

    @Flag(help: "Take the claim even when another live session holds it (it is recorded as a takeover).")
    var force = false

    @Flag(help: "Take the claim on the shared remote itself (coord.remote), atomically, so it holds across clones (default: coord.claimOnRemote).")
    var remote = false

    @Argument(help: "Files, directories or git pathspec patterns.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one path or pattern.") }
        if let ttl { _ = try durationOption(ttl, "--ttl", positive: true) }
        if let reason, reason.count > ClaimService.maximumReasonLength {
            throw ValidationError("--reason is too long (at most \(ClaimService.maximumReasonLength) characters).")
        }
    }

    func run() throws {
        try withSession(sessionOptions) { coordination, session in
            let directory = FileManager.default.currentDirectoryPath
            let patterns = try paths.map { try ClaimPattern.parse($0, in: coordination.repository, from: directory) }
            let seconds = try ttl.map { try durationOption($0, "--ttl", positive: true) } ?? coordination.claims.defaultTTL()
            do {
                let outcomes = remote || coordination.claims.onRemoteByDefault
                    ? try coordination.claims.claimOnRemote(patterns, for: session, ttl: seconds, reason: reason, force: force,
                                                     remote: coordination.sharing.defaultRemote)
                    : try coordination.claims.claim(patterns, for: session, ttl: seconds, reason: reason, force: force)
                for pattern in patterns where pattern.kind == .pattern {
                    if !(try coordination.claims.patternMatchesAnything(pattern)) {
                        printError("warning: '\(ClaimText.pattern(pattern))' matches no file yet; claimed anyway")
                    }
                }
                // Taking a released claim is routine; taking one that lapsed, or a live one, is worth a line.
                for case let (pattern, .takenOver(victim)) in outcomes where victim.state != .released {
                    let how = victim.state == .live ? "taken by force from" : "taken over from"
                    printError("\(ClaimText.pattern(pattern)): \(how) \(Display.neutralised(victim.name)) (its claim was \(victim.state.rawValue))")
                }
            } catch let refused as ClaimConflicts {
                ClaimCommand.report(refused)
                throw NegativeAnswer()
            } catch let refused as RemoteClaimRefused {
                SyncText.report(refused)
                throw NegativeAnswer()
            }
        }
    }

    static func report(_ refused: ClaimConflicts) {
        let now = nowMillis()
        for conflict in refused.conflicts {
            let held = conflict.held
            let via = held.pattern.text == conflict.wanted.text ? "" : " as " + ClaimText.pattern(held.pattern)
            printError("\(ClaimText.pattern(conflict.wanted)): claimed by \(ClaimText.holder(held, now: now, via: via))")
        }
        printError("nothing was claimed")
        let names = Set(refused.conflicts.map { $0.held.holder?.name ?? $0.held.record.name }).sorted()
        printError("hint: ask \(names.map(Display.neutralised).joined(separator: ", ")) to release it, wait until it ends, or take it with --force")
    }
}

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release the session's claims.",
        discussion: """
        Give the paths or patterns as they were claimed (relative to the current directory), or --all. \
        Claims also end by themselves, with no command: when their TTL runs out, and when their session \
        stops or goes stale.

          git coord release src/pages/AdminDashboard.jsx
          git coord release --all
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @Flag(help: "Release every claim of the session.")
    var all = false

    @Argument(help: "The claimed paths or patterns.", completion: CompletionWords.ownClaims)
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty && !all { throw ValidationError("Give the paths to release, or --all.") }
        if !paths.isEmpty && all { throw ValidationError("Give paths or --all, not both.") }
    }

    func run() throws {
        try withSession(sessionOptions) { coordination, session in
            let directory = FileManager.default.currentDirectoryPath
            let patterns = all ? nil : try paths.map { try ClaimPattern.parse($0, in: coordination.repository, from: directory) }
            let result = try coordination.claims.release(patterns, for: session)
            for pattern in result.notHeld {
                printError("\(ClaimText.pattern(pattern)): not claimed by \(Display.neutralised(session.name))")
            }
            if !result.notHeld.isEmpty { throw NegativeAnswer() }
        }
    }
}

struct Claims: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "List the live claims of every session.",
        discussion: """
        One line per claim: the path or pattern (directories end in '/'), its holder and branch, since when \
        and until when, its task and reason. --all adds released, expired and abandoned claims, with why. \
        --taken lists the session's own claims that others took, with --force or after they lapsed.

          git coord claims
          git coord claims --taken
          git coord claims --json | jq -r '.claims[] | "\\(.pattern) \\(.name)"'
        """
    )

    @Flag(help: "Include claims that no longer count, and why.")
    var all = false

    @Flag(help: "List instead the session's claims that other sessions took (with --force, or after they lapsed).")
    var taken = false

    @OptionGroup var sessionOptions: SessionOptions

    @OptionGroup var output: JSONOption

    func validate() throws {
        if taken && all { throw ValidationError("--taken and --all do not go together.") }
    }

    func run() throws {
        try withCoordination { coordination in
            let now = nowMillis()
            if taken {
                let session = try coordination.sessions.resolve(sessionOptions.selector)
                let takeovers = try coordination.claims.takeovers(of: session.id)
                if output.json {
                    try printJSON(TakeoverListView(takeovers, now: now))
                    return
                }
                for takeover in takeovers {
                    let taker = takeover.claim.holder?.name ?? takeover.claim.record.name
                    let how = takeover.forced ? "taken with --force" : "taken after it was \(takeover.victim.state.rawValue)"
                    let yours = Display.neutralised(takeover.victim.pattern)
                    let theirs = takeover.claim.pattern.text == takeover.victim.pattern ? "" : " (by claiming \(ClaimText.pattern(takeover.claim.pattern)))"
                    print("\(yours): \(how) by \(Display.neutralised(taker))\(theirs) \(formatAge(Double(now - takeover.victim.at) / 1000)) ago")
                }
                return
            }
            let claims = try coordination.claims.all(now: now).filter { all || $0.isLive }
                .sorted { ($0.record.pattern, $0.record.claimed) < ($1.record.pattern, $1.record.claimed) }
            if output.json {
                try printJSON(ClaimListView(claims, now: now))
                return
            }
            for claim in claims {
                var line = ClaimText.pattern(claim.pattern) + "  " + ClaimText.holder(claim, now: now)
                if !claim.isLive { line += "  [\(claim.state.rawValue)]" }
                print(line)
            }
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Say whether another live session is on these paths (exit 1 if so, 0 if not).",
        discussion: """
        For each path: the other live sessions that claim it (or a folder or pattern covering it), or have it \
        among their touched files or their uncommitted changes, with their branch and task. Silent, exit 0, \
        when nobody else is there. Paths are relative to the current directory or absolute inside the \
        repository; a folder covers everything below it.

          git coord check src/pages/AdminDashboard.jsx && echo "free to edit"
        """
    )

    @OptionGroup var sessionOptions: SessionOptions

    @OptionGroup var output: JSONOption

    @Argument(help: "The paths to check.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one path.") }
    }

    func run() throws {
        let found = try withCoordination { coordination in
            let directory = FileManager.default.currentDirectoryPath
            let relative = try paths.map { try coordination.repository.relativePath($0, from: directory) }
            // Without a session of our own (a person checking by hand) every live session counts; a session
            // named explicitly must exist.
            if sessionOptions.session != nil {
                _ = try coordination.sessions.resolve(sessionOptions.selector)
            }
            let now = nowMillis()
            let overlaps = try coordination.claims.othersOn(paths: relative, selector: sessionOptions.selector).overlaps
            if output.json {
                try printJSON(CheckView(paths: relative, overlaps: overlaps, now: now))
            } else {
                for overlap in overlaps { print(ClaimText.overlap(overlap, now: now)) }
            }
            return !overlaps.isEmpty
        }
        if found { throw NegativeAnswer() }
    }
}
