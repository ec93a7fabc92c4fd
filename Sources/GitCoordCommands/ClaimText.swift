import GitCoordCore

/// How claims and overlaps read on a terminal; everything another session wrote is neutralised.
enum ClaimText {
    /// "alice (branch feature/x) since 5m ago, until in 55m, task: ..., reason: ..."
    static func holder(_ claim: Claim, now: Millis, via: String = "") -> String {
        var text = Display.neutralised(claim.holder?.name ?? claim.record.name)
        if let holder = claim.holder { text += " (" + SessionText.branchLabel(holder.record) + ")" }
        text += via
        text += " since \(formatAge(Double(now - claim.record.claimed) / 1000)) ago"
        text += ", until in \(formatAge(Double(claim.record.expires - now) / 1000))"
        if let task = claim.holder?.record.task, !task.isEmpty { text += ", task: " + Display.neutralised(task) }
        if let reason = claim.record.reason, !reason.isEmpty { text += ", reason: " + Display.neutralised(reason) }
        return text
    }

    static func pattern(_ pattern: ClaimPattern) -> String { Display.neutralised(pattern.description) }

    /// One line per other session on a path, as `check` and the pre-commit hook print them.
    static func overlap(_ overlap: Overlap, now: Millis) -> String {
        let path = Display.neutralised(overlap.path.isEmpty ? "." : overlap.path)
        let record = overlap.session.record
        let who = Display.neutralised(record.name) + " (" + SessionText.branchLabel(record) + ")"
        let task = record.task.isEmpty ? "" : ", task: " + Display.neutralised(record.task)
        switch overlap.reason {
        case .claim(let claim):
            let via = claim.pattern.text == overlap.path ? "" : " as " + pattern(claim.pattern)
            return "\(path): claimed by \(holder(claim, now: now, via: via))"
        case .touched(let at):
            return "\(path): touched by \(who) \(formatAge(Double(now - at) / 1000)) ago\(task)"
        case .changed(let at):
            return "\(path): uncommitted changes by \(who) in \(Display.neutralised(record.worktree)), "
                + "\(formatAge(Double(now - at) / 1000)) ago\(task)"
        }
    }
}
