import ASHA
import RunLog

/// Plays a `ReplayTimeline` back: a position in the log (events applied), the model folded to it, a
/// replay clock, and play/pause, speed, step and seek. Pure: the caller says how much wall time passed
/// (`advance`) and whether the log is complete (read to its end and not followed).
///
/// The clock and the position agree: playing or seeking by time to a clock reading applies exactly the
/// events at or before it; stepping and jumping to an event number set the clock to the last applied
/// event's time.
public struct ReplayPlayer {
    /// The speeds `faster` and `slower` step through; infinity is "as fast as possible".
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, .infinity]
    /// The most events folded by one `advance` (so keys stay answered while playing at full speed).
    public static let foldBudget = 20_000

    /// Events applied.
    public private(set) var position = 0
    /// The model after `position` events.
    public private(set) var model: DashboardModel
    /// The replay clock: seconds since the run started.
    public private(set) var clock = 0.0
    /// True while playing.
    public private(set) var playing: Bool
    /// The index of the speed in `speeds`.
    public private(set) var speedIndex: Int
    /// True after `end` while the log is still being read: the player stays at its end.
    public private(set) var atLiveEdge = false
    /// A jump waiting for the log to be read that far.
    public private(set) var pending: ReplayTarget?

    /// A player at time 0 of `timeline` (the events at time 0 applied), playing or paused, at the listed
    /// speed nearest `speed`.
    public init(timeline: ReplayTimeline, playing: Bool = true, speed: Double = 1) {
        model = timeline.model(at: timeline.position(atTime: 0))
        position = model.eventCount
        self.playing = playing
        speedIndex = Self.speeds.indices.min { abs(Self.speeds[$0] - speed) < abs(Self.speeds[$1] - speed) } ?? 2
        if speed.isInfinite { speedIndex = Self.speeds.count - 1 }
    }

    /// The playback speed (infinity: as fast as possible).
    public var speed: Double { Self.speeds[speedIndex] }

    /// The speed as the header shows it: "x1", "x0.25", "max".
    public var speedLabel: String { Self.label(speed) }

    static func label(_ s: Double) -> String {
        if s.isInfinite { return "max" }
        if s == s.rounded() { return "x\(Int(s))" }
        return "x\(s)"
    }

    /// What the header shows.
    public func status(_ timeline: ReplayTimeline, complete: Bool, following: Bool = false) -> ReplayStatus {
        ReplayStatus(
            clock: clock, duration: timeline.duration, position: position, count: timeline.count, playing: playing,
            speed: speedLabel, loading: !complete, following: following)
    }

    /// Moves to `target` events applied; the clock goes to `clock` when given (a time seek), else to the
    /// last applied event's time.
    public mutating func seek(to target: Int, timeline: ReplayTimeline, clock: Double? = nil) {
        let p = min(max(0, target), timeline.count)
        if p == timeline.count {
            model = timeline.tail
            position = p
        } else if p >= position, p - position <= p - timeline.snapshotPosition(before: p) {
            // Forward, nearer than any snapshot: fold the model shown in place (no copy of it).
            position += timeline.fold(&model, from: position, to: p)
        } else if p != position {
            model = timeline.model(at: p)
            position = model.eventCount  // short of `p` only when the log could not be read again
        }
        self.clock = clock ?? timeline.time(at: p)
        atLiveEdge = false
        pending = nil
    }

    /// Plays on for `wallSeconds` of real time. Returns true when something shown changed.
    public mutating func advance(wallSeconds: Double, timeline: ReplayTimeline, complete: Bool) -> Bool {
        guard playing, !atLiveEdge else { return false }
        let before = (position, clock)
        let target: Int
        if speed.isInfinite {
            target = min(timeline.count, position + Self.foldBudget)
        } else {
            clock += max(0, wallSeconds) * speed
            target = min(timeline.position(atTime: clock), position + Self.foldBudget)
        }
        if target > position {
            position += timeline.fold(&model, from: position, to: target)
            if position < target { playing = false }  // a block could not be read again: stop there
        }
        if speed.isInfinite || timeline.position(atTime: clock) > position {
            // Behind the clock (full speed, or the fold budget ran out): the clock shows what is applied.
            clock = timeline.time(at: position)
        }
        if position == timeline.count {
            clock = min(clock, timeline.duration)
            if complete { playing = false }
        }
        return before != (position, clock) || !playing
    }

    /// After events were appended: stay at the end when following it, run a jump that was waiting for them.
    public mutating func timelineGrew(_ timeline: ReplayTimeline, complete: Bool) {
        if atLiveEdge {
            model = timeline.tail
            position = timeline.count
            clock = timeline.duration
            if complete { atLiveEdge = false }
            return
        }
        if let target = pending, complete || reached(target, timeline) { _ = jump(target, timeline, complete: true) }
    }

    private func reached(_ target: ReplayTarget, _ timeline: ReplayTimeline) -> Bool {
        switch target {
        case .event(let n): return n <= timeline.count
        case .time(let t): return t < timeline.duration
        }
    }

    /// Carries out a replay key. `trial` is the selected trial; `complete` says whether the whole log is
    /// read. Returns a line of feedback for the footer, if any.
    public mutating func perform(
        _ control: ReplayControl, timeline: ReplayTimeline, trial: TrialID?, complete: Bool
    ) -> String? {
        switch control {
        case .playPause:
            if !playing, complete, position == timeline.count, timeline.count > 0 {
                seek(to: timeline.position(atTime: 0), timeline: timeline, clock: 0)
            }
            playing.toggle()
            atLiveEdge = false
            return playing ? "playing at \(speedLabel)" : "paused"
        case .faster, .slower:
            speedIndex = max(0, min(Self.speeds.count - 1, speedIndex + (control == .faster ? 1 : -1)))
            return "speed \(speedLabel)"
        case .step(let n):
            playing = false
            if n > 0, position >= timeline.count { return "at the end of the log" }
            if n < 0, position == 0 { return "at the start of the log" }
            seek(to: position + n, timeline: timeline)
            return nil
        case .nextDecision, .previousDecision:
            guard let trial else { return "no trial selected" }
            let next = control == .nextDecision
            let found =
                next
                ? timeline.nextDecision(about: trial, after: position)
                : timeline.previousDecision(about: trial, before: position)
            guard let found else { return "no \(next ? "later" : "earlier") decision about trial \(trial)" }
            playing = false
            seek(to: found, timeline: timeline)
            return nil
        case .seek(let seconds):
            return jump(.time(max(0, clock + seconds)), timeline, complete: complete)
        case .start:
            seek(to: timeline.position(atTime: 0), timeline: timeline, clock: 0)
            return nil
        case .end:
            seek(to: timeline.count, timeline: timeline)
            atLiveEdge = !complete
            return complete ? nil : "at the end of what is read so far; following"
        case .jump(let target):
            return jump(target, timeline, complete: complete)
        }
    }

    /// Goes to `target`, or waits for the log to be read that far.
    private mutating func jump(_ target: ReplayTarget, _ timeline: ReplayTimeline, complete: Bool) -> String? {
        if !complete, !reached(target, timeline) {
            seek(to: timeline.count, timeline: timeline)
            pending = target
            return "reading the log up to there"
        }
        switch target {
        case .event(let n):
            seek(to: n, timeline: timeline)
        case .time(let t):
            let clamped = min(max(0, t), timeline.duration)
            seek(to: timeline.position(atTime: clamped), timeline: timeline, clock: clamped)
        }
        return nil
    }
}
