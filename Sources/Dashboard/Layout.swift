/// Where each pane goes for a terminal size. The best configuration is the point of the screen: it is
/// always shown, as a pane when there is room and as one line above the trials list when there is not.
/// Panes are dropped by priority when the terminal is small: messages first, then idle worker rows,
/// then the best pane's box (down to its one-line form); the trials list and the rung occupancy stay
/// as long as the minimum size is met.
public struct Layout: Equatable, Sendable {
    /// The smallest terminal the dashboard draws into.
    public static let minimum = Size(width: 50, height: 14)
    /// From this width on, the best pane sits beside the rungs and messages beside the trials.
    public static let wideWidth = 110

    /// The two header lines.
    public var header: Rect
    /// The hint / filter / feedback line.
    public var footer: Rect
    /// Rung occupancy (nil when dropped).
    public var rungs: Rect?
    /// Worker slots (nil when dropped).
    public var workers: Rect?
    /// Best configuration as a pane (nil when only the one-line form fits).
    public var best: Rect?
    /// Best configuration in one line (when the pane does not fit).
    public var bestLine: Rect?
    /// The trials list.
    public var trials: Rect?
    /// Messages (nil when dropped).
    public var messages: Rect?
    /// True when the terminal is below `minimum`.
    public var tooSmall: Bool

    /// Lays out the panes for `size`, sized for what `model` holds.
    public init(size: Size, model: DashboardModel, ui: UIState) {
        header = Rect(x: 0, y: 0, width: size.width, height: min(2, size.height))
        footer = Rect(x: 0, y: max(0, size.height - 1), width: size.width, height: 1)
        tooSmall = size.width < Self.minimum.width || size.height < Self.minimum.height
        guard !tooSmall else { return }
        let rungRows = max(1, model.rungs.reduce(0) { $0 + $1.count })
        let rungPref = 3 + rungRows
        // Busy slots (and the cursor's) first; idle rows only when there is room to spare.
        let busy = model.workers.indices.filter {
            model.workers[$0].isBusy || (ui.focus == .workers && $0 == ui.selectedWorker)
        }.count
        let busyPref = 3 + max(1, busy)
        let workerPref = 3 + max(1, model.workers.count)
        let bestPref = 4 + min(6, max(1, model.parameterNames.count))
        let top = 2
        let avail = size.height - 3
        let w = size.width
        if w >= Self.wideWidth {
            // Rows: [rungs | best], workers, [trials | messages]; a one-line best when the upper row
            // does not fit.
            let trialsMin = 6
            var left = avail - trialsMin
            // Room for the best value's plot (4 rows) under its hyperparameters when it fits.
            let upperPref = max(rungPref, min(bestPref + (avail >= 34 ? 4 : 0), 14))
            var upper = min(upperPref, max(0, left))
            if upper < 5 { upper = 0 }
            left -= upper
            var workerH = min(busyPref, max(0, left))
            if workerH < 4 { workerH = 0 }
            left -= workerH
            let line = upper == 0 ? 1 : 0
            left -= line
            if workerH > 0, left > 0 {
                let grow = min(left, max(0, workerPref - workerH))
                workerH += grow
                left -= grow
            }
            let bestWidth = min(48, w / 3)
            var y = top
            if upper > 0 {
                rungs = Rect(x: 0, y: y, width: w - bestWidth, height: upper)
                best = Rect(x: w - bestWidth, y: y, width: bestWidth, height: upper)
                y += upper
            }
            if workerH > 0 {
                workers = Rect(x: 0, y: y, width: w, height: workerH)
                y += workerH
            }
            if line > 0 {
                bestLine = Rect(x: 0, y: y, width: w, height: 1)
                y += 1
            }
            let rest = size.height - 1 - y
            // While there are no messages, their pane takes only what the trials table does not need
            // (at least 30 columns), so hyperparameter columns are not cut for an empty pane.
            let usual = min(56, w * 2 / 5)
            let trialsWant = 2 + TrialColumns.preferredWidth(model: model)
            let empty = model.messageCount == 0 && ui.notices.isEmpty
            let messagesWidth = empty ? max(min(30, usual), min(usual, w - trialsWant)) : usual
            trials = Rect(x: 0, y: y, width: w - messagesWidth, height: rest)
            messages = Rect(x: w - messagesWidth, y: y, width: messagesWidth, height: rest)
        } else {
            // Rows top to bottom: rungs, workers, best (a pane, or one line), trials, messages. First
            // the minimum of each (the best as one line), then the trials list to 8 rows, the busy workers
            // and the rungs grow, the best becomes a pane, idle workers come in, then messages; the
            // trials list takes what is left.
            var left = avail - 6 - 1
            var rungH = left >= 5 ? 5 : 0
            left -= rungH
            var workerH = left >= 4 ? 4 : 0
            left -= workerH
            func grow(_ h: inout Int, to pref: Int) {
                guard h > 0 else { return }
                let g = min(left, max(0, pref - h))
                h += g
                left -= g
            }
            left -= min(2, max(0, left))  // the trials list to 8 rows first
            // Busy workers and rungs grow a row each in turn.
            while left > 0, (workerH > 0 && workerH < busyPref) || (rungH > 0 && rungH < rungPref) {
                if workerH > 0, workerH < busyPref {
                    workerH += 1
                    left -= 1
                }
                if left > 0, rungH > 0, rungH < rungPref {
                    rungH += 1
                    left -= 1
                }
            }
            var bestH = 0
            let bestBox = min(bestPref, 7)
            if left + 1 >= 5 {
                bestH = min(bestBox, left + 1)
                left -= bestH - 1
            }
            grow(&workerH, to: workerPref)
            var messageH = 0
            if left >= 5 {
                messageH = 5
                left -= 5
            }
            var y = top
            if rungH > 0 {
                rungs = Rect(x: 0, y: y, width: w, height: rungH)
                y += rungH
            }
            if workerH > 0 {
                workers = Rect(x: 0, y: y, width: w, height: workerH)
                y += workerH
            }
            if bestH > 0 {
                best = Rect(x: 0, y: y, width: w, height: bestH)
                y += bestH
            } else {
                bestLine = Rect(x: 0, y: y, width: w, height: 1)
                y += 1
            }
            let trialsH = size.height - 1 - y - messageH
            trials = Rect(x: 0, y: y, width: w, height: trialsH)
            y += trialsH
            if messageH > 0 { messages = Rect(x: 0, y: y, width: w, height: messageH) }
        }
    }
}
