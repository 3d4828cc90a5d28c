/// Where each pane goes for a terminal size. Panes are dropped by priority when the terminal is
/// small (messages first, then the best configuration, then workers); the trials list and the
/// rung occupancy stay as long as the minimum size is met.
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
    /// Best configuration (nil when dropped).
    public var best: Rect?
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
        let workerPref = 3 + max(1, model.workers.count)
        let bestPref = 4 + min(6, max(1, model.parameterNames.count))
        let top = 2
        let avail = size.height - 3
        let w = size.width
        if w >= Self.wideWidth {
            // Rows: [rungs | best], workers, [trials | messages].
            let trialsMin = 6
            var rows = [0, 0]
            var left = avail - trialsMin
            let upperPref = max(rungPref, min(bestPref, 10))
            rows[0] = min(upperPref, max(0, left))
            if rows[0] < 5 { rows[0] = 0 }
            left -= rows[0]
            rows[1] = min(workerPref, max(0, left))
            if rows[1] < 4 { rows[1] = 0 }
            left -= rows[1]
            let bestWidth = min(48, w / 3)
            var y = top
            if rows[0] > 0 {
                rungs = Rect(x: 0, y: y, width: w - bestWidth, height: rows[0])
                best = Rect(x: w - bestWidth, y: y, width: bestWidth, height: rows[0])
                y += rows[0]
            }
            if rows[1] > 0 {
                workers = Rect(x: 0, y: y, width: w, height: rows[1])
                y += rows[1]
            }
            let rest = size.height - 1 - y
            let messagesWidth = min(56, w * 2 / 5)
            trials = Rect(x: 0, y: y, width: w - messagesWidth, height: rest)
            messages = Rect(x: w - messagesWidth, y: y, width: messagesWidth, height: rest)
        } else {
            // Rows top to bottom: rungs, workers, trials, best, messages; trials take what is left.
            // First the minimum of the trials, rungs and workers, then rungs and workers grow to what
            // they hold, then the best configuration and the messages come in if they fit.
            let trialsMin = 8
            var left = avail - trialsMin
            var rungH = left >= 5 ? 5 : 0
            left -= rungH
            var workerH = left >= 4 ? 4 : 0
            left -= workerH
            if rungH > 0 {
                let grow = min(left, max(0, rungPref - rungH))
                rungH += grow
                left -= grow
            }
            if workerH > 0 {
                let grow = min(left, max(0, workerPref - workerH))
                workerH += grow
                left -= grow
            }
            func take(_ pref: Int, _ minimum: Int) -> Int {
                let h = min(pref, left)
                if h < minimum { return 0 }
                left -= h
                return h
            }
            let bestH = take(min(bestPref, 6), 5)
            let messageH = take(5, 4)
            var y = top
            if rungH > 0 {
                rungs = Rect(x: 0, y: y, width: w, height: rungH)
                y += rungH
            }
            if workerH > 0 {
                workers = Rect(x: 0, y: y, width: w, height: workerH)
                y += workerH
            }
            let trialsH = size.height - 1 - y - bestH - messageH
            trials = Rect(x: 0, y: y, width: w, height: trialsH)
            y += trialsH
            if bestH > 0 {
                best = Rect(x: 0, y: y, width: w, height: bestH)
                y += bestH
            }
            if messageH > 0 { messages = Rect(x: 0, y: y, width: w, height: messageH) }
        }
    }
}
