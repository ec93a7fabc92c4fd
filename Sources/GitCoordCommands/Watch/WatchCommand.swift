import ArgumentParser
import GitCoordCore
import GitCoordSystem
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "A live view of the repository's sessions, claims and notes, redrawn as they change.",
        discussion: """
        Live sessions (name, agent, branch, worktree, task, files with their ages, last seen), the live claims with \
        the time they have left, and the latest notes; what changed in the last 5 seconds is marked '›' (and \
        coloured on a terminal). It redraws as soon as a coordination ref changes (inotify: nothing is polled, and it writes \
        nothing); ages move on with the clock. q or Ctrl-C quits.

        With --json, one JSON object per line: a snapshot, then one event per change (schema git-coord.watch/1). \
        Without a terminal on stdout, a frame is printed at each change.
        """
    )

    @OptionGroup var output: JSONOption

    @Option(help: "How many of the latest notes to show.")
    var notes = 5

    func validate() throws {
        guard notes >= 0 else { throw ValidationError("--notes takes a number of notes, 0 or more") }
    }

    func run() throws {
        try withCoordination { coordination in
            let mode: WatchLoop.Mode = output.json ? .json : Terminal.isTerminal(1) ? .screen : .frames
            try WatchLoop(coordination: coordination, mode: mode, notes: notes).run()
        }
    }
}

/// The view's loop: it sleeps in `poll` on the coordination refs (`RefWatcher`), the signals (SIGINT, SIGTERM,
/// SIGHUP, SIGWINCH and on a terminal SIGTSTP, read from a signalfd) and the keyboard, with a timeout only for the clock: on a terminal the
/// next second (ages tick), otherwise the next moment a session goes stale or a claim expires.
struct WatchLoop {
    enum Mode { case screen, frames, json }

    let coordination: Coordination
    let mode: Mode
    let notes: Int

    /// How long a change stays marked on the screen.
    static let highlightFor = 5.0

    func run() throws {
        let watcher = try RefWatcher(coordination.repository)
        let signals = try SignalDescriptor([SIGINT, SIGTERM, SIGHUP, SIGWINCH] + (mode == .screen ? [SIGTSTP] : []))
        let terminal = Terminal()
        let title = coordination.repository.mainCheckout ?? coordination.repository.commonDir
        var snapshot = try CoordSnapshot(of: coordination, notes: notes)
        var shownAt = nowMillis()
        // What changed, and when: marked for `highlightFor` seconds, so a change is seen even among several at once.
        var changedAt: [String: Millis] = [:]
        var keyboard: Int32 = mode == .screen && Terminal.isTerminal(0) ? 0 : -1

        if mode == .screen { terminal.enter() }
        defer { terminal.restore() }

        func show(clear: Bool = false, changes: [CoordChange] = []) {
            let now = nowMillis()
            changedAt = changedAt.filter { Double(now - $0.value) / 1000 < Self.highlightFor }
            let changed = mode == .frames ? Set(changes.map(\.subject)) : Set(changedAt.keys)
            switch mode {
            case .screen:
                let (rows, columns) = Terminal.size()
                let frame = WatchFrame(snapshot: snapshot, now: now, changed: changed, title: title)
                terminal.draw(frame.lines(height: rows).map { $0.rendered(width: columns, colors: true) }, clearFirst: clear)
            case .frames:
                let frame = WatchFrame(snapshot: snapshot, now: now, changed: changed, title: title)
                terminal.write(frame.lines(height: 0).map { $0.rendered(width: Int.max, colors: false) }.joined(separator: "\n") + "\n\n")
            case .json:
                let events = changes.isEmpty && clear ? [WatchEventView(snapshot: snapshot, now: now)]
                    : changes.map { WatchEventView($0, in: snapshot, now: now) }
                for event in events { terminal.write(Self.line(event)) }
            }
        }
        show(clear: true)

        while true {
            var watched: [(fd: Int32, events: Int16)] = [(watcher.descriptor, Int16(POLLIN)), (signals.descriptor, Int16(POLLIN))]
            if keyboard >= 0 { watched.append((keyboard, Int16(POLLIN))) }
            let ready = waitForEvents(watched, timeout: timeout(snapshot))

            if ready[1] != 0 {
                for signal in signals.read() {
                    switch signal {
                    case SIGWINCH:
                        show(clear: true)
                    case SIGTSTP:
                        // Ctrl-Z: give the terminal back, stop, and take it again when continued (`fg`).
                        terminal.restore()
                        kill(getpid(), SIGSTOP)
                        terminal.enter()
                        show(clear: true)
                    default:
                        return
                    }
                }
            }
            if keyboard >= 0, ready[2] != 0 {
                var bytes = [UInt8](repeating: 0, count: 64)
                let count = read(keyboard, &bytes, bytes.count)
                if count <= 0 { keyboard = -1 }
                if bytes.prefix(max(0, count)).contains(where: { $0 == UInt8(ascii: "q") || $0 == UInt8(ascii: "Q") || $0 == 3 }) {
                    return
                }
            }
            let now = nowMillis()
            var changes: [CoordChange] = []
            if ready[0] != 0, !(try watcher.changes()).isEmpty {
                let fresh = try CoordSnapshot(of: coordination, notes: notes)
                changes = CoordChange.between(snapshot, at: shownAt, and: fresh, at: now)
                snapshot = fresh
            } else {
                // Only the clock moved: sessions that went stale and claims that expired meanwhile.
                changes = CoordChange.between(snapshot, at: shownAt, and: snapshot, at: now)
            }
            shownAt = now
            for change in changes { changedAt[change.subject] = now }
            if mode == .screen || !changes.isEmpty { show(changes: changes) }
        }
    }

    /// Seconds until the view must change with no ref changing: the next second on a screen (ages), else the next
    /// session going stale or claim expiring (nil: nothing will).
    private func timeout(_ snapshot: CoordSnapshot) -> Double? {
        let now = nowMillis()
        if mode == .screen { return Double(1000 - now % 1000) / 1000 }
        var next: Millis?
        for session in snapshot.sessions(at: now) where session.isLive {
            let stale = session.record.seen + Millis(snapshot.sessionTTL * 1000) + 1
            next = min(next ?? stale, stale)
        }
        for claim in snapshot.claims(at: now) where claim.isLive {
            next = min(next ?? claim.record.expires, claim.record.expires)
        }
        return next.map { Double(max(0, $0 - now)) / 1000 + 0.001 }
    }

    static func line(_ event: WatchEventView) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }
}
