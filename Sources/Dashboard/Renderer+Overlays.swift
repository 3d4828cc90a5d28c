import ASHA
import RunLog
import TextSafety

extension Renderer {
    /// A blank box centred on the screen; returns its rectangle.
    mutating func overlayBox(width: Int, height: Int, title: String) -> Rect {
        let w = min(width, grid.width - 2)
        let h = min(height, grid.height - 2)
        let r = Rect(x: (grid.width - w) / 2, y: (grid.height - h) / 2, width: w, height: h)
        grid.clear(r)
        box(r, title: title, focused: true)
        return r
    }

    /// "Kill trial 17 (...)? y/N" and the like.
    mutating func drawConfirm(_ question: String, detach: Bool = false) {
        let text = Sanitizer.clean(question, maxColumns: grid.width - 6)
        let r = overlayBox(width: max(44, text.count + 4), height: 5, title: "Confirm")
        grid.put(text, x: r.x + 2, y: r.y + 1, role: .warning, maxWidth: r.width - 3)
        let keys = detach ? "y = yes, d = detach, any other key = no" : "y = yes, any other key = no"
        grid.put(keys, x: r.x + 2, y: r.y + 3, role: .dim, maxWidth: r.width - 3)
    }

    /// The help overlay, generated from the keymap. Keys that ask first are marked "(asks)"; disabled
    /// keys are dimmed and say why (inline in one column, grouped below the list in two).
    mutating func drawHelp() {
        let bindings = ui.keyMap.bindings
        let r = overlayBox(width: grid.width - 4, height: grid.height - 2, title: "Help  (Esc closes)")
        let inner = r.inner
        let reasons = bindings.map { ui.whyDisabled($0.action, model: model) }
        var groups: [(String, [String])] = []
        for (b, reason) in zip(bindings, reasons) {
            guard let reason else { continue }
            if let i = groups.firstIndex(where: { $0.0 == reason }) {
                groups[i].1.append(b.keys[0].description)
            } else {
                groups.append((reason, [b.keys[0].description]))
            }
        }
        let oneColumn = bindings.count <= inner.height - 1
        let rows = oneColumn ? bindings.count : (bindings.count + 1) / 2
        let colWidth = oneColumn ? inner.width - 1 : (inner.width - 1) / 2
        // Keys in a column at least 8 wide, wider when a binding has many keys (the replay's).
        let keyWidth = min(16, max(8, bindings.map(\.keyNames.count).max() ?? 8))
        for (i, b) in bindings.enumerated() {
            let y = inner.y + i % rows
            let x = inner.x + 1 + (i / rows) * colWidth
            let reason = reasons[i]
            var text = pad(b.keyNames, keyWidth) + " " + b.description
            if b.dangerous { text += " (asks)" }
            if oneColumn, let reason { text += " - " + reason }
            let role: StyleRole = reason == nil ? (b.dangerous ? .warning : .normal) : .dim
            grid.put(text, x: x, y: y, role: role, maxWidth: colWidth - 1)
        }
        var y = inner.y + rows
        if !oneColumn {
            for (reason, keys) in groups where y < inner.y + inner.height - 1 {
                grid.put(
                    "disabled: \(keys.joined(separator: " ")) - \(reason)", x: inner.x + 1, y: y, role: .dim,
                    maxWidth: inner.width - 1)
                y += 1
            }
        }
        let note =
            "Statuses: "
            + TrialStatus.displayOrder.map { "\($0.glyph(ascii: g.ascii)) \($0.name)" }.joined(separator: "  ")
        grid.put(note, x: inner.x + 1, y: inner.y + inner.height - 1, role: .dim, maxWidth: inner.width - 1)
    }

    /// The trial detail overlay: configuration, learning curve against the rung cutoffs, and every
    /// decision with its reason.
    mutating func drawDetail(_ id: TrialID) {
        let r = overlayBox(width: grid.width - 4, height: grid.height - 2, title: "Trial \(id)  (Esc closes)")
        let inner = r.inner
        guard let t = model.trial(id), inner.height > 2 else {
            grid.put(" unknown trial", x: inner.x, y: inner.y, role: .dim)
            return
        }
        var y = inner.y
        let rung = t.highestRung.map { "rung \($0)" } ?? "no rung yet"
        var x = grid.put(" \(t.status.glyph(ascii: g.ascii)) \(t.status.name)", x: inner.x, y: y, role: t.status.role)
        grid.put(
            "  bracket \(t.bracket)  \(rung)  r=\(t.resource)  \(model.metricName) \(metricText(t.lastMetric))", x: x,
            y: y, maxWidth: inner.x + inner.width - x)
        y += 1
        for line in wrap(t.configText, width: inner.width - 2).prefix(3) {
            grid.put(" " + line, x: inner.x, y: y, role: .normal, maxWidth: inner.width)
            y += 1
        }
        if let sample = t.sampleText {
            grid.put(" " + sample, x: inner.x, y: y, role: .dim, maxWidth: inner.width - 1)
            y += 1
        }
        if let reason = t.failureReason {
            // The whole reason (a command's stderr tail included), as much as half the overlay holds.
            let room = max(1, (inner.y + inner.height - y) / 2)
            let lines = wrap("failed: " + reason, width: inner.width - 2)
            for (i, line) in lines.prefix(room).enumerated() {
                let more = i == room - 1 && lines.count > room
                grid.put(
                    " " + (more ? String(line.dropLast(2)) + " …" : line), x: inner.x, y: y, role: .bad,
                    maxWidth: inner.width)
                y += 1
            }
        }
        if let w = t.worker, w < model.workers.count, let slot = Optional(model.workers[w]), slot.trial == id {
            grid.put(
                " worker \(w): rung \(slot.rung) (\(slot.fromResource)\(g.arrow)\(slot.toResource)) r=\(slot.resource)",
                x: inner.x, y: y, role: .good, maxWidth: inner.width)
            y += 1
        }
        let remaining = inner.y + inner.height - y
        let plotHeight = max(0, min(12, (remaining - 2) / 2))
        if plotHeight >= 3, t.curve.count >= 1 {
            grid.put(
                " learning curve: \(model.metricName) vs r; \(g.cutoffMark) = rung cutoff", x: inner.x, y: y,
                role: .header, maxWidth: inner.width)
            y += 1
            drawCurve(t, Rect(x: inner.x + 11, y: y, width: inner.width - 13, height: plotHeight))
            y += plotHeight + 1
        }
        // The last lines of the trial's standard error, at the bottom of the overlay.
        let output = ui.detailOutput.suffix(max(0, min(6, (inner.y + inner.height - y - 3) / 2)))
        let bottom = inner.y + inner.height - (output.isEmpty ? 0 : output.count + 1)
        if !output.isEmpty {
            grid.put(" stderr (last lines)", x: inner.x, y: bottom, role: .header, maxWidth: inner.width)
            for (i, line) in output.enumerated() {
                grid.put(
                    " " + Sanitizer.clean(line, maxColumns: 512), x: inner.x, y: bottom + 1 + i, role: .dim,
                    maxWidth: inner.width)
            }
        }
        x = grid.put(" decisions", x: inner.x, y: y, role: .header)
        y += 1
        let lines = t.decisions.map(decisionText)
        if lines.isEmpty { grid.put(" none yet", x: inner.x, y: y, role: .dim) }
        let visible = max(0, bottom - y)
        let top = max(0, min(ui.detailTop, lines.count - visible))
        for (i, line) in lines.dropFirst(top).prefix(visible).enumerated() {
            let d = t.decisions[top + i]
            let role: StyleRole = d.action == .stop ? .bad : (d.action == .wait ? .normal : .good)
            grid.put(" " + line, x: inner.x, y: y + i, role: role, maxWidth: inner.width)
        }
        if lines.count > visible { grid.put(" (j/k scroll)", x: x, y: y - 1, role: .dim) }
    }

    private mutating func drawCurve(_ t: TrialRecord, _ rect: Rect) {
        let points = t.curve.map { (Double($0.resource), $0.value) }
        let cutoffs = t.decisions.compactMap { d in d.cutoff.map { (Double(d.resource), $0) } }
        let ys = (points + cutoffs).map(\.1).filter(\.isFinite)
        let xs = (points + cutoffs).map(\.0)
        guard let yLo = ys.min(), let yHi = ys.max(), let xHi = xs.max() else { return }
        let xLo = max(1, xs.min() ?? 1)
        let plot = Plot(
            rect: rect, xMin: xLo, xMax: max(xHi, xLo + 1), yMin: yLo, yMax: yHi == yLo ? yLo + 1 : yHi,
            logX: xLo >= 1 && xHi / xLo >= 4, ascii: g.ascii)
        grid.put(pad(formatShort(yHi), 9, right: true), x: rect.x - 10, y: rect.y, role: .dim)
        grid.put(pad(formatShort(yLo), 9, right: true), x: rect.x - 10, y: rect.y + rect.height - 1, role: .dim)
        grid.put("r=\(formatShort(xLo))", x: rect.x, y: rect.y + rect.height, role: .dim)
        let label = "r=\(formatShort(xHi))"
        grid.put(label, x: rect.x + rect.width - label.count, y: rect.y + rect.height, role: .dim)
        plot.draw(points, into: &grid, role: .good)
        for (cx, cy) in cutoffs { plot.mark(cx, cy, g.cutoffMark, into: &grid, role: .warning) }
    }

    /// "rung 2 (r=9): 0.213 vs cutoff 0.198, rank 5 of 12 → stop (worse than cutoff)"
    func decisionText(_ d: Decision) -> String {
        let cutoff = d.cutoff.map { "cutoff \(formatShort($0))" } ?? "no cutoff yet"
        let why: String
        switch d.reason {
        case .withinCutoff: why = "within the top 1/eta"
        case .worseThanCutoff: why = "worse than the cutoff"
        case .tooFewEntries: why = "fewer than eta entries"
        case .nonFiniteValue: why = "non-finite value"
        case .topRung: why = "top rung"
        }
        let bracket = model.rungs.count > 1 ? "bracket \(d.bracket) " : ""
        return "\(bracket)rung \(d.rung) (r=\(d.resource)): \(formatShort(d.value)) vs \(cutoff), "
            + "rank \(d.rank) of \(d.rungSize) \(g.arrow) \(d.action.rawValue) (\(why))"
    }

    /// Splits `text` at spaces into lines of at most `width` columns.
    func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
