import ASHA

/// A fold of a run's events into one row per trial: what `export` writes and what a headless replay
/// summarizes. Folding a log gives the same table as the live run that wrote it.
public struct TrialTable: Sendable {
    /// One trial's facts.
    public struct Row: Sendable, Equatable {
        public var trial: TrialID
        public var bracket: Int
        public var config: Configuration
        public var status: TrialStatus = .waiting
        /// The highest rung index with a decision about this trial (-1: none yet).
        public var highestRung = -1
        /// The resource of that rung (0: none yet).
        public var highestRungResource = 0
        /// The last metric reported and the resource it was reported at.
        public var lastValue: Double?
        public var lastResource = 0
        /// Why it ended, when it did: the stopping decision, the failure, a kill.
        public var reason = ""
    }

    public private(set) var info: RunInfo?
    public private(set) var rows: [Row] = []
    /// The incumbent: the best value at the highest resource a rung decision has seen.
    public private(set) var best: (trial: TrialID, resource: Int, value: Double)?
    public private(set) var endReason: String?
    public private(set) var lastTime = 0.0
    public private(set) var reports = 0
    public private(set) var events = 0

    public init() {}

    /// Folds one event.
    public mutating func apply(_ event: RunEvent) {
        events += 1
        lastTime = event.time
        switch event.body {
        case .runStarted(let i): info = i
        case .trialSampled(let t, let b, let c, _):
            guard t == rows.count else { return }  // ids are dense; ignore anything else
            rows.append(Row(trial: t, bracket: b, config: c))
        case .jobStarted(let t, _, _, _, _): set(t) { $0.status = .running }
        case .metric(let t, let r, let v):
            reports += 1
            set(t) {
                $0.lastValue = v
                $0.lastResource = r
            }
        case .decision(let d):
            set(d.trial) { row in
                if d.action != .promote, d.rung > row.highestRung {
                    row.highestRung = d.rung
                    row.highestRungResource = d.resource
                }
                switch d.action {
                case .stop:
                    row.status = .stopped
                    let cutoff = d.cutoff.map(formatShort) ?? "none"
                    row.reason =
                        "stopped at rung \(d.rung) (r=\(d.resource)): \(formatShort(d.value)) vs cutoff \(cutoff), rank \(d.rank) of \(d.rungSize)"
                case .wait: row.status = .waiting
                case .complete: row.status = .completed
                case .continue, .promote: break
                }
            }
        case .jobEnded: break
        case .trialPaused(let t, let by):
            set(t) {
                $0.status = .paused
                $0.reason = by == .user ? "paused by the user" : "paused when the run stopped"
            }
        case .trialResumed(let t, _):
            set(t) {
                $0.status = .queued
                $0.reason = ""
            }
        case .trialKilled(let t):
            set(t) {
                $0.status = .killed
                $0.reason = "killed by the user"
            }
        case .trialCompleted(let t, _, _): set(t) { $0.status = .completed }
        case .trialFailed(let t, let reason):
            set(t) {
                $0.status = .failed
                $0.reason = reason
            }
        case .newBest(let t, let r, let v): best = (t, r, v)
        case .runPaused, .runResumed, .workersChanged, .message: break
        case .runContinued: endReason = nil
        case .runEnded(let reason): endReason = reason
        }
    }

    private mutating func set(_ t: TrialID, _ change: (inout Row) -> Void) {
        guard rows.indices.contains(t) else { return }
        change(&rows[t])
    }

    /// Trials by status.
    public var counts: [TrialStatus: Int] {
        var c: [TrialStatus: Int] = [:]
        for r in rows { c[r.status, default: 0] += 1 }
        return c
    }
}
