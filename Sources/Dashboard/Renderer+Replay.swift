import TextSafety

extension Renderer {
    /// The first header line of a replay: the run's name, then the replay's state and speed, the replay
    /// clock against the log's duration, the position in the log as a bar and as event numbers, and the
    /// badges (the run's end or pause as recorded, FOLLOW, REPLAY).
    mutating func drawReplayTitle(_ r: ReplayStatus) {
        let w = grid.width
        grid.fill(" ", x: 0, y: 0, count: w, role: .header)
        let x = grid.put(" ashb-top ", x: 0, y: 0, role: .header)
        var badges: [String] = []
        if let reason = model.endedReason { badges.append("ENDED: \(reason)") }
        if model.runPaused { badges.append("RUN PAUSED") }
        if ui.frozen { badges.append("FROZEN") }
        if r.following { badges.append("FOLLOW") }
        badges.append("REPLAY")
        let badgeWidth = badges.reduce(0) { $0 + $1.count + 3 }
        let state = r.playing ? (g.ascii ? "> play" : "▶ play") : "|| pause"
        let info = "\(state) \(r.speed)  \(formatDuration(r.clock)) / \(formatDuration(r.duration))"
        let counter = "event \(r.position)/\(r.count)\(r.loading ? "+" : "")"
        let name = model.runName.isEmpty ? "(no run yet)" : model.runName
        let avail = max(0, w - x - badgeWidth - 1)
        // The name gives way first (down to 8 columns), then the bar, then the counter.
        let fixed = info.count + counter.count + 4
        var barWidth = max(0, min(40, avail - fixed - min(name.count, 8) - 1))
        if barWidth < 6 { barWidth = 0 }
        let showCounter = avail >= info.count + 2 + (barWidth > 0 ? barWidth + 1 : 0) + counter.count + 8
        let rightWidth = info.count + (barWidth > 0 ? barWidth + 1 : 0) + (showCounter ? counter.count + 1 : 0)
        let nameWidth = max(0, avail - rightWidth - 2)
        // A name that does not fit ends in an ellipsis rather than mid-word.
        let shown = name.count > nameWidth && nameWidth > 1 ? String(name.prefix(nameWidth - 1)) + g.ellipsisOne : name
        grid.put(shown, x: x, y: 0, role: .header, maxWidth: nameWidth)
        var rx = max(x + min(nameWidth, name.count) + 1, x + avail - rightWidth)
        rx = grid.put(info, x: rx, y: 0, role: .header, maxWidth: max(0, w - badgeWidth - rx)) + 1
        if barWidth > 0 {
            let fraction = r.count > 0 ? Double(r.position) / Double(r.count) : 0
            drawProgress(x: rx, y: 0, width: barWidth, fraction: fraction)
            rx += barWidth + 1
        }
        if showCounter { grid.put(counter, x: rx, y: 0, role: .header, maxWidth: max(0, w - badgeWidth - rx)) }
        var bx = w - badgeWidth + 1
        for badge in badges {
            bx = grid.put(" \(badge) ", x: bx, y: 0, role: .badge) + 1
        }
    }

    /// The footer of a replay: the replay keys that work now.
    mutating func drawReplayHints(_ r: ReplayStatus) {
        let y = layout.footer.y
        let arrows = g.ascii ? "Left/Right" : "←/→"
        let hints: [(String, String, Action)] = [
            ("Space", r.playing ? "pause" : "play", .playPause), ("+/-", "speed", .faster),
            (arrows, "10s", .seekForward), ("PgUp/PgDn", "1m", .seekForwardMinute), (",/.", "step", .stepForward),
            ("[/]", "decision", .nextDecision), (":", "go to", .jumpTo), ("g/G", "start/end", .seekStart),
            ("?", "help", .help), ("q", "quit", .quit), ("Enter", "detail", .detail), ("/", "filter", .filter),
        ]
        var x = 0
        for (key, label, action) in hints where ui.whyDisabled(action, model: model) == nil {
            if x + key.count + label.count + 2 > grid.width { break }
            x = grid.put(key, x: x, y: y, role: .title)
            x = grid.put(" " + label + " ", x: x, y: y, role: .normal)
        }
    }

    /// The `:` prompt of a replay.
    mutating func drawJumpPrompt(_ text: String) {
        let y = layout.footer.y
        var x = grid.put(":", x: 0, y: y, role: .title)
        x = grid.put(Sanitizer.clean(text, maxColumns: 24), x: x, y: y, role: .normal)
        x = grid.put(String(g.cursor), x: x, y: y, role: .selected)
        putLongestFitting(
            [
                "  a time (12m30s, 90s, 1h2m) or an event number; Enter go, Esc cancel",
                "  a time (12m30s) or an event number; Enter go, Esc cancel",
                "  Enter go, Esc cancel",
            ], x: x, y: y)
    }
}
