import ASHA

/// The limits every number read from a log must respect: the same a spec has. A log is untrusted (a
/// forged `workers` event of 100,000,000 once made a resume take 1.5 GB); checked here, it is refused
/// with the line at fault before any state is built from it.
public struct LogLimits: Sendable, Equatable {
    /// The most worker slots a run may have (as in a spec).
    public var maxWorkers: Int
    /// The top rung's resource, when known in advance (a resume knows it from the spec); otherwise the
    /// log's own `run_started` ladders bound it.
    public var maxResource: Int?
    /// The number of brackets, when known in advance.
    public var brackets: Int?
    /// Whether the log must also be consistent: dense trial ids, resources, rungs and brackets within the
    /// ladder, increasing `seq`, finite times. A resume builds scheduler state from it and needs all of
    /// this; replay and export, which only show the log, check the bounds that size memory (workers).
    public var strict: Bool

    /// Limits for a resume (`strict`) or, by default, for showing a log.
    public init(maxWorkers: Int = 512, maxResource: Int? = nil, brackets: Int? = nil, strict: Bool = false) {
        self.maxWorkers = maxWorkers
        self.maxResource = maxResource
        self.brackets = brackets
        self.strict = strict
    }
}

/// Checks events one by one, in log order, against `LogLimits`: worker numbers and counts within the
/// limit; when strict, also trial ids dense (a `trial_sampled` names the next id; every other event a sampled trial),
/// resources within the ladder, rungs and brackets that exist, sequence numbers increasing, times finite
/// and not negative.
struct LogValidator {
    let limits: LogLimits
    private var sampled = 0
    private var lastSeq = -1
    private var ladders: [[Int]] = []

    init(_ limits: LogLimits) { self.limits = limits }

    /// The top resource: the spec's, else the largest rung of the log's ladders.
    private var maxResource: Int { limits.maxResource ?? ladders.flatMap { $0 }.max() ?? Int.max }
    private var bracketCount: Int { limits.brackets ?? (ladders.isEmpty ? 32 : ladders.count) }
    private var rungCount: Int { ladders.map(\.count).max() ?? 64 }

    mutating func check(_ e: RunEvent) throws(SchemaError) {
        guard limits.strict else {
            // Only what sizes memory: worker slots.
            switch e.body {
            case .runStarted(let info): try workers(info.workers, "workers")
            case .workersChanged(let n, _): try workers(n, "workers")
            case .jobStarted(_, let w, _, _, _), .jobEnded(_, let w): try worker(w)
            default: break
            }
            return
        }
        guard e.seq > lastSeq else { throw SchemaError("seq \(e.seq) does not follow seq \(lastSeq)") }
        lastSeq = e.seq
        guard e.time.isFinite, e.time >= 0 else { throw SchemaError("time \(e.time) is not a finite, positive time") }
        switch e.body {
        case .runStarted(let info):
            try workers(info.workers, "workers")
            guard info.ladders.count <= 32, info.ladders.allSatisfy({ $0.count <= 64 }) else {
                throw SchemaError("the ladders have more than 32 brackets or 64 rungs")
            }
            for ladder in info.ladders { for r in ladder { try resource(r) } }
            ladders = info.ladders
        case .trialSampled(let t, let b, _, _):
            guard t == sampled else {
                throw SchemaError("trial \(t) sampled where trial \(sampled) was next (trial ids are dense)")
            }
            try bracket(b)
            sampled += 1
        case .jobStarted(let t, let w, let rung, let from, let to):
            try trial(t)
            try worker(w)
            try self.rung(rung)
            try resource(from)
            try resource(to)
            guard from <= to else { throw SchemaError("resource \(from) is above \(to)") }
        case .metric(let t, let r, _), .trialCompleted(let t, let r, _), .newBest(let t, let r, _):
            try trial(t)
            try resource(r)
        case .decision(let d):
            try trial(d.trial)
            try bracket(d.bracket)
            try rung(d.rung)
            try resource(d.resource)
        case .jobEnded(let t, let w), .jobPlaced(let t, let w, _):
            try trial(t)
            try worker(w)
        case .trialPaused(let t, _), .trialResumed(let t, _), .trialKilled(let t), .trialFailed(let t, _):
            try trial(t)
        case .message(let t, _):
            if let t { try trial(t) }
        case .workersChanged(let n, _):
            try workers(n, "workers")
        case .runContinued(let n):
            guard n >= 0 else { throw SchemaError("events \(n) is negative") }
        case .runPaused, .runResumed, .runEnded:
            break
        }
    }

    private func trial(_ t: TrialID) throws(SchemaError) {
        guard t >= 0, t < sampled else { throw SchemaError("trial \(t) was never sampled (\(sampled) were)") }
    }

    private func worker(_ w: Int) throws(SchemaError) {
        guard w >= 0, w < limits.maxWorkers else {
            throw SchemaError("worker \(w) is outside 0...\(limits.maxWorkers - 1)")
        }
    }

    private func workers(_ n: Int, _ what: String) throws(SchemaError) {
        guard n >= 1, n <= limits.maxWorkers else {
            throw SchemaError("\(what) \(n) is outside 1...\(limits.maxWorkers)")
        }
    }

    private func resource(_ r: Int) throws(SchemaError) {
        guard r >= 0, r <= maxResource else { throw SchemaError("resource \(r) is outside 0...\(maxResource)") }
    }

    private func rung(_ k: Int) throws(SchemaError) {
        guard k >= 0, k < rungCount else { throw SchemaError("rung \(k) is outside 0...\(rungCount - 1)") }
    }

    private func bracket(_ b: Int) throws(SchemaError) {
        guard b >= 0, b < bracketCount else { throw SchemaError("bracket \(b) is outside 0...\(bracketCount - 1)") }
    }
}
