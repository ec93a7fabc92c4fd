import GitCoordCore
#if canImport(Glibc)
import Glibc
#endif

/// One frame of `git coord watch`: the live sessions (and those that ended lately), the live claims, the newest
/// notes; what changed in the last few seconds is marked `›` (and coloured on a terminal). Everything another session
/// wrote is neutralised. Built from a snapshot and the clock alone, so ticking ages costs no read.
struct WatchFrame {
    let snapshot: CoordSnapshot
    let now: Millis
    /// Sessions, claim refs and note ids that changed lately.
    let changed: Set<String>
    let title: String
    /// Files shown per session at most.
    var maxFiles = 4

    /// How long an ended session stays in view, dimmed.
    static let endedShownFor: Double = 10 * 60

    func lines(height: Int) -> [StyledLine] {
        let sessions = snapshot.sessions(at: now)
        let live = sessions.filter(\.isLive)
        let stale = sessions.filter { $0.state == .stale }
        let ended = sessions.filter { session in
            session.state == .ended && Double(now - (session.record.ended ?? session.record.seen)) / 1000 < Self.endedShownFor
        }
        let claims = snapshot.claims(at: now).filter(\.isLive).sorted { $0.record.expires < $1.record.expires }

        var header = StyledLine("git coord watch", .heading)
        header.add("  " + title + "  " + Self.clock(now), .muted)
        header.add("  q quits", .muted)
        var lines = [header, StyledLine()]

        var heading = StyledLine("Sessions", .heading)
        heading.add("  \(live.count) live" + (stale.isEmpty ? "" : ", \(stale.count) stale (silent over \(formatAge(snapshot.sessionTTL)))"), .muted)
        lines.append(heading)
        if live.isEmpty && ended.isEmpty { lines.append(StyledLine("  none", .muted)) }
        for session in live + ended { lines += sessionLines(session) }

        lines.append(StyledLine())
        var claimHeading = StyledLine("Claims", .heading)
        claimHeading.add("  \(claims.count) live", .muted)
        lines.append(claimHeading)
        if claims.isEmpty { lines.append(StyledLine("  none", .muted)) }
        for claim in claims { lines.append(claimLine(claim)) }

        lines.append(StyledLine())
        var notesHeading = StyledLine("Notes", .heading)
        notesHeading.add(snapshot.notes.isEmpty ? "  none yet" : "  the latest \(snapshot.notes.count)", .muted)
        lines.append(notesHeading)
        for note in snapshot.notes.reversed() { lines.append(noteLine(note)) }

        guard height > 0, lines.count > height else { return lines }
        var cut = Array(lines.prefix(height - 1))
        cut.append(StyledLine("  … \(lines.count - height + 1) more lines (a taller terminal shows them)", .muted))
        return cut
    }

    // MARK: Parts

    private func marker(_ subject: String) -> (String, StyledLine.Style?) {
        changed.contains(subject) ? ("› ", .changed) : ("  ", nil)
    }

    private func sessionLines(_ session: Session) -> [StyledLine] {
        let record = session.record
        let (mark, highlight) = marker(session.id)
        let base: StyledLine.Style = session.state == .ended ? .muted : .plain
        var first = StyledLine(mark, highlight ?? base)
        first.add(Display.neutralised(record.name), highlight ?? (session.state == .ended ? .muted : .bold))
        if let agent = record.agent { first.add(" (\(Display.neutralised(agent)))", highlight ?? base) }
        if !session.isFromThisClone(snapshot.cloneID) {
            first.add(" [clone \(Display.neutralised(record.clone ?? "?")) on \(Display.neutralised(record.host))]", highlight ?? base)
        }
        first.add("  " + SessionText.branchLabel(record), highlight ?? base)
        first.add("  " + Display.neutralised(record.worktree), highlight ?? .muted)
        first.add("  " + SessionText.seenLabel(session, now: now), highlight ?? .muted)
        var lines = [first]
        guard session.state != .ended else { return lines }
        if !record.task.isEmpty { lines.append(StyledLine("      task: " + Display.neutralised(record.task), highlight ?? base)) }
        let files = session.files
        if !files.isEmpty {
            let shown = files.prefix(maxFiles).map { "\(Display.neutralised($0.file.path)) (\(formatAge(Double(now - $0.file.at) / 1000)))" }
            let more = files.count > maxFiles ? ", +\(files.count - maxFiles) more" : ""
            lines.append(StyledLine("      files: " + shown.joined(separator: ", ") + more, highlight ?? base))
        }
        return lines
    }

    private func claimLine(_ claim: Claim) -> StyledLine {
        let (mark, highlight) = marker(claim.ref)
        var line = StyledLine(mark, highlight ?? .plain)
        line.add(Display.neutralised(claim.pattern.description), highlight ?? .bold)
        line.add("  " + Display.neutralised(claim.holder?.name ?? claim.record.name), highlight ?? .plain)
        line.add("  \(formatAge(Double(claim.record.expires - now) / 1000)) left", highlight ?? .muted)
        if let reason = claim.record.reason, !reason.isEmpty { line.add("  " + Display.neutralised(reason), highlight ?? .plain) }
        return line
    }

    private func noteLine(_ note: LogRecord) -> StyledLine {
        let (mark, highlight) = marker(note.itemID)
        var line = StyledLine(mark, highlight ?? .plain)
        line.add(Display.neutralised(note.fromName), highlight ?? .bold)
        if let branch = note.branch { line.add(" (\(Display.neutralised(branch)))", highlight ?? .plain) }
        line.add(" \(formatAge(Double(now - note.at) / 1000)) ago: ", highlight ?? .muted)
        let firstLine = note.text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        line.add(Display.neutralised(firstLine) + (note.text.contains("\n") ? " …" : ""), highlight ?? .plain)
        return line
    }

    /// The local time of day, HH:MM:SS.
    static func clock(_ now: Millis) -> String {
        var seconds = time_t(now / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
