import ASHA

/// Why a log line is not a valid event.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What an event line holds besides its event, which depends on the log's version (`LogHeader.lineFormat`).
public struct EventLineFormat: Sendable, Equatable {
    /// Whether each line carries its event's `seq` (version 1 logs; the attach wire format). Without it, an
    /// event's number is its place: the first event line after the log's header is event 0, and so on.
    public var seqOnLine: Bool
    /// Whether `t` is rounded to the microsecond (version 2 logs of a wall-clock run); else written in full.
    public var microseconds: Bool

    public init(seqOnLine: Bool, microseconds: Bool) {
        self.seqOnLine = seqOnLine
        self.microseconds = microseconds
    }

    /// Version 1's lines, and the wire's: `seq` on each line, `t` in full.
    public static let withSeq = EventLineFormat(seqOnLine: true, microseconds: false)

    /// The lines of a log of schema `version` (see `LogHeader.lineFormat`).
    public static func of(version: Int, simulated: Bool) -> EventLineFormat {
        version < 2 ? .withSeq : EventLineFormat(seqOnLine: false, microseconds: !simulated)
    }
}

/// Turns events into log lines and log lines back into events. The line format is documented in
/// README.md ("The run log"); the member order is fixed so a log's bytes are stable.
public enum EventCodec {
    /// Appends `event` as one JSON object (no newline) to `w`, in `format` (by default version 1's and the
    /// wire's: with `seq`).
    public static func encode(_ event: RunEvent, into w: inout JSONWriter, format: EventLineFormat = .withSeq) {
        w.beginObject()
        if format.seqOnLine { w.member("seq", event.seq) }
        w.key("t")
        if format.microseconds { w.microseconds(event.time) } else { w.double(event.time) }
        w.member("type", typeName(event.body))
        switch event.body {
        case .runStarted(let info):
            w.key("info")
            encode(info, into: &w)
        case .trialSampled(let trial, let bracket, let config, let detail):
            w.member("trial", trial)
            w.member("bracket", bracket)
            w.key("config")
            encode(config, into: &w)
            encode(detail, into: &w)
        case .jobStarted(let trial, let worker, let rung, let from, let to):
            w.member("trial", trial)
            w.member("worker", worker)
            w.member("rung", rung)
            w.member("from", from)
            w.member("to", to)
        case .jobPlaced(let trial, let worker, let placement):
            encodePlacement(trial: trial, worker: worker, placement, into: &w)
        case .metric(let trial, let resource, let value), .trialCompleted(let trial, let resource, let value),
            .newBest(let trial, let resource, let value):
            w.member("trial", trial)
            w.member("resource", resource)
            w.member("value", value)
        case .decision(let d):
            encode(d, into: &w)
        case .jobEnded(let trial, let worker):
            w.member("trial", trial)
            w.member("worker", worker)
        case .trialPaused(let trial, let by), .trialResumed(let trial, let by):
            w.member("trial", trial)
            w.member("by", by.rawValue)
        case .trialKilled(let trial):
            w.member("trial", trial)
        case .trialFailed(let trial, let reason):
            w.member("trial", trial)
            w.member("reason", reason)
        case .runPaused(let by), .runResumed(let by):
            w.member("by", by.rawValue)
        case .workersChanged(let count, let by):
            w.member("count", count)
            w.member("by", by.rawValue)
        case .message(let trial, let text):
            w.member("trial", trial)
            w.member("text", text)
        case .runContinued(let events):
            w.member("events", events)
        case .runEnded(let reason):
            w.member("reason", reason.text)
        }
        w.endObject()
    }

    /// The `type` member of an event's line: the log's name for each kind of event.
    static func typeName(_ body: RunEvent.Body) -> String {
        switch body {
        case .runStarted: return "run_started"
        case .trialSampled: return "sampled"
        case .jobStarted: return "job_started"
        case .metric: return "metric"
        case .decision: return "decision"
        case .jobEnded: return "job_ended"
        case .trialPaused: return "paused"
        case .trialResumed: return "resumed"
        case .trialKilled: return "killed"
        case .trialCompleted: return "completed"
        case .trialFailed: return "failed"
        case .newBest: return "best"
        case .runPaused: return "run_paused"
        case .runResumed: return "run_resumed"
        case .workersChanged: return "workers"
        case .jobPlaced: return "job_placed"
        case .message: return "message"
        case .runContinued: return "run_continued"
        case .runEnded: return "run_ended"
        }
    }

    /// A `sampled` event's optional `origin` (with the model's level, or what a copy copies and why) and
    /// `note`: absent when unknown.
    static func encode(_ detail: SampleDetail, into w: inout JSONWriter) {
        switch detail.origin {
        case nil: break
        case .random?:
            w.member("origin", "random")
        case .model(let resource, let n)?:
            w.member("origin", "model")
            w.member("model_resource", resource)
            w.member("model_n", n)
        case .copy(let trial, let why)?:
            w.member("origin", "copy")
            w.member("copy_of", trial)
            switch why {
            case .worst: w.member("copy_why", "worst")
            case .retry: w.member("copy_why", "retry")
            case .pad(let target):
                w.member("copy_why", "pad")
                w.member("copy_for", target)
            }
        }
        if let note = detail.note { w.member("note", note) }
    }

    static func encode(_ d: Decision, into w: inout JSONWriter) {
        w.member("trial", d.trial)
        w.member("bracket", d.bracket)
        w.member("rung", d.rung)
        w.member("resource", d.resource)
        w.member("value", d.value)
        w.member("cutoff", d.cutoff)
        w.member("rank", d.rank)
        w.member("n", d.rungSize)
        w.member("action", d.action.rawValue)
        w.member("reason", d.reason.rawValue)
    }

    /// Writes a configuration as an object of name → value, in the search space's order.
    public static func encode(_ config: Configuration, into w: inout JSONWriter) {
        w.beginObject()
        for e in config.entries {
            w.key(e.name)
            switch e.value {
            case .double(let d): w.double(d)
            case .int(let i): w.int(i)
            case .string(let s): w.string(s)
            case .bool(let b): w.bool(b)
            }
        }
        w.endObject()
    }

    static func encode(_ info: RunInfo, into w: inout JSONWriter) {
        w.beginObject()
        w.member("name", info.name)
        w.member("objective", info.objective)
        w.member("metric", info.metric)
        w.member("goal", info.goal.rawValue)
        w.key("settings")
        encode(info.settings, into: &w)
        w.key("ladders")
        w.array(info.ladders) { w, ladder in w.array(ladder) { $0.int($1) } }
        w.member("workers", info.workers)
        w.member("max_seconds", info.maxSeconds)
        w.key("parameters")
        w.array(info.parameters) { $0.string($1) }
        if let executor = info.executor { w.member("executor", executor) }
        if let groups = info.workerDevices {
            w.key("worker_devices")
            w.array(groups) { w, group in w.array(group) { $0.string($1) } }
        }
        w.endObject()
    }

    static func encode(_ s: SchedulerSettings, into w: inout JSONWriter) {
        w.beginObject()
        w.member("variant", s.variant.rawValue)
        w.member("goal", s.goal.rawValue)
        w.member("min_resource", s.minResource)
        w.member("max_resource", s.maxResource)
        w.member("eta", s.reductionFactor)
        w.member("min_early_stopping_rate", s.minEarlyStoppingRate)
        w.member("brackets", s.brackets)
        w.member("seed", String(s.seed))
        w.member("max_trials", s.maxTrials)
        w.member("max_total_resource", s.maxTotalResource)
        if case .tpe(let tpe) = s.sampler {
            // Only a model-based sampler is written: a log without `sampler` was sampled at random.
            w.key("sampler")
            w.beginObject()
            w.member("type", "tpe")
            w.member("random_fraction", tpe.randomFraction)
            w.member("min_points", tpe.minPoints)
            w.member("candidates", tpe.candidates)
            w.member("gamma", tpe.gamma)
            w.member("min_good", tpe.minGood)
            w.member("bandwidth_factor", tpe.bandwidthFactor)
            w.member("min_bandwidth", tpe.minBandwidth)
            w.member("max_kernels", tpe.maxKernels)
            w.member("min_distance", tpe.minDistance)
            w.key("avoid_duplicates")
            w.bool(tpe.avoidDuplicates)
            w.member("split", tpe.split.rawValue)
            w.key("revisit")
            w.bool(tpe.revisitStopped)
            w.member("exhausted", tpe.exhausted.rawValue)
            w.endObject()
        }
        w.endObject()
    }

    // MARK: - Decoding

    /// Reads one event from a parsed log line. `place`: the event's number in a log whose lines carry no
    /// `seq` (version 2), where a line that has one anyway must agree with it; nil: the line's `seq` is read.
    public static func decode(_ v: JSONValue, place: Int? = nil) throws(SchemaError) -> RunEvent {
        let o = Fields(v)
        let seq: Int
        if let place {
            if o.raw("seq") != nil, try o.int("seq") != place {
                throw SchemaError("'seq' is not the line's place in the log (event \(place))")
            }
            seq = place
        } else {
            seq = try o.int("seq")
        }
        let t = try o.double("t")
        let type = try o.string("type")
        let body: RunEvent.Body
        switch type {
        case "run_started": body = .runStarted(try decodeInfo(try o.object("info")))
        case "sampled":
            body = .trialSampled(
                trial: try o.int("trial"), bracket: try o.int("bracket"), config: try decodeConfig(o.raw("config")),
                detail: try decodeSampleDetail(o))
        case "job_started":
            body = .jobStarted(
                trial: try o.int("trial"), worker: try o.int("worker"), rung: try o.int("rung"),
                fromResource: try o.int("from"), toResource: try o.int("to"))
        case "job_placed": body = try decodePlacement(o)
        case "metric":
            body = .metric(trial: try o.int("trial"), resource: try o.int("resource"), value: try o.double("value"))
        case "decision":
            guard let action = Decision.Action(rawValue: try o.string("action")) else {
                throw SchemaError("unknown decision action")
            }
            guard let reason = Decision.Reason(rawValue: try o.string("reason")) else {
                throw SchemaError("unknown decision reason")
            }
            body = .decision(
                Decision(
                    trial: try o.int("trial"), bracket: try o.int("bracket"), rung: try o.int("rung"),
                    resource: try o.int("resource"), value: try o.double("value"),
                    cutoff: try o.optionalDouble("cutoff"),
                    rank: try o.int("rank"), rungSize: try o.int("n"), action: action, reason: reason))
        case "job_ended": body = .jobEnded(trial: try o.int("trial"), worker: try o.int("worker"))
        case "paused": body = .trialPaused(trial: try o.int("trial"), by: try o.initiator())
        case "resumed": body = .trialResumed(trial: try o.int("trial"), by: try o.initiator())
        case "killed": body = .trialKilled(trial: try o.int("trial"))
        case "completed":
            body = .trialCompleted(
                trial: try o.int("trial"), resource: try o.int("resource"), value: try o.double("value"))
        case "failed": body = .trialFailed(trial: try o.int("trial"), reason: try o.string("reason"))
        case "best":
            body = .newBest(trial: try o.int("trial"), resource: try o.int("resource"), value: try o.double("value"))
        case "run_paused": body = .runPaused(by: try o.initiator())
        case "run_resumed": body = .runResumed(by: try o.initiator())
        case "workers": body = .workersChanged(count: try o.int("count"), by: try o.initiator())
        case "message": body = .message(trial: try o.optionalInt("trial"), text: try o.string("text"))
        case "run_continued": body = .runContinued(events: try o.int("events"))
        case "run_ended": body = .runEnded(reason: EndReason(text: try o.string("reason")))
        default: throw SchemaError("unknown event type '\(type.prefix(40))'")
        }
        return RunEvent(seq: seq, time: t, body: body)
    }

    /// Reads a configuration object.
    public static func decodeConfig(_ v: JSONValue?) throws(SchemaError) -> Configuration {
        guard case .object(let members)? = v else { throw SchemaError("'config' must be an object") }
        var entries: [Configuration.Entry] = []
        entries.reserveCapacity(members.count)
        for (k, value) in members {
            let pv: ParameterValue
            switch value {
            case .number(let d, let i): pv = i.map { .int($0) } ?? .double(d)
            case .string(let s):
                switch s {
                case "NaN": pv = .double(.nan)
                case "Infinity": pv = .double(.infinity)
                case "-Infinity": pv = .double(-.infinity)
                default: pv = .string(s)
                }
            case .bool(let b): pv = .bool(b)
            default: throw SchemaError("config value '\(k.prefix(40))' must be a number, string or boolean")
            }
            entries.append(.init(name: k, value: pv))
        }
        return Configuration(entries)
    }

    static func decodeInfo(_ o: Fields) throws(SchemaError) -> RunInfo {
        let s = try o.object("settings")
        guard let variant = Variant(rawValue: try s.string("variant")) else { throw SchemaError("unknown variant") }
        guard let sgoal = Goal(rawValue: try s.string("goal")) else { throw SchemaError("unknown goal") }
        guard let goal = Goal(rawValue: try o.string("goal")) else { throw SchemaError("unknown goal") }
        guard let seed = UInt64(try s.string("seed")) else { throw SchemaError("'seed' must be an unsigned integer") }
        let settings = SchedulerSettings(
            variant: variant, goal: sgoal, minResource: try s.int("min_resource"),
            maxResource: try s.int("max_resource"), reductionFactor: try s.int("eta"),
            minEarlyStoppingRate: try s.int("min_early_stopping_rate"), brackets: try s.int("brackets"), seed: seed,
            maxTrials: try s.optionalInt("max_trials"), maxTotalResource: try s.optionalInt("max_total_resource"),
            sampler: try decodeSampler(s))
        guard case .array(let rawLadders)? = o.raw("ladders") else { throw SchemaError("'ladders' must be an array") }
        var ladders: [[Int]] = []
        for l in rawLadders {
            guard case .array(let rungs) = l else { throw SchemaError("'ladders' must hold arrays") }
            var ladder: [Int] = []
            for r in rungs {
                guard case .number(_, let i?) = r else { throw SchemaError("rung resources must be integers") }
                ladder.append(i)
            }
            ladders.append(ladder)
        }
        guard case .array(let rawParams)? = o.raw("parameters") else {
            throw SchemaError("'parameters' must be an array")
        }
        var params: [String] = []
        for p in rawParams {
            guard case .string(let name) = p else { throw SchemaError("parameter names must be strings") }
            params.append(name)
        }
        // Optional (a run without GPUs has none): at most 512 groups of at most 64 ids of at most 64 bytes.
        var devices: [[String]]?
        if let raw = o.raw("worker_devices") {
            guard case .array(let groups) = raw, groups.count <= 512 else {
                throw SchemaError("'worker_devices' must be an array of at most 512 arrays")
            }
            devices = try groups.map { g throws(SchemaError) -> [String] in
                guard case .array(let ids) = g, !ids.isEmpty, ids.count <= 64 else {
                    throw SchemaError("'worker_devices' must hold arrays of 1 to 64 device ids")
                }
                return try ids.map { id throws(SchemaError) -> String in
                    guard case .string(let s) = id, !s.isEmpty, s.utf8.count <= 64 else {
                        throw SchemaError("a device id in 'worker_devices' must be a string of 1 to 64 bytes")
                    }
                    return s
                }
            }
        }
        return RunInfo(
            name: try o.string("name"), objective: try o.string("objective"), metric: try o.string("metric"),
            goal: goal, settings: settings, ladders: ladders, workers: try o.int("workers"),
            maxSeconds: try o.optionalDouble("max_seconds"), parameters: params, workerDevices: devices,
            executor: try executor(o))
    }

    /// The optional `executor` of a run's description: a string of at most 64 bytes.
    private static func executor(_ o: Fields) throws(SchemaError) -> String? {
        guard let raw = o.raw("executor") else { return nil }
        guard case .string(let s) = raw, !s.isEmpty, s.utf8.count <= 64 else {
            throw SchemaError("'executor' must be a string of 1 to 64 bytes")
        }
        return s
    }
}

extension EventCodec {
    /// The settings' `sampler` member: absent or null is `random` (logs before model-based sampling).
    static func decodeSampler(_ s: Fields) throws(SchemaError) -> SamplerSettings {
        guard let raw = s.raw("sampler"), raw != .null else { return .random }
        let o = try s.object("sampler")
        switch try o.string("type") {
        case "random": return .random
        case "tpe":
            let tpe = TPESettings(
                randomFraction: try o.double("random_fraction"), minPoints: try o.optionalInt("min_points"),
                candidates: try o.int("candidates"), gamma: try o.double("gamma"),
                minGood: try o.optionalInt("min_good"),
                bandwidthFactor: try o.double("bandwidth_factor"), minBandwidth: try o.double("min_bandwidth"),
                maxKernels: try o.int("max_kernels"),
                // Logs written before the near-duplicate check sampled without it: absent means 0.
                minDistance: try o.optionalDouble("min_distance") ?? 0,
                avoidDuplicates: try flag(o, "avoid_duplicates"),
                split: try optionalCase(o, "split", absent: TPESplit.level),
                revisitStopped: try flag(o, "revisit"),
                exhausted: try optionalCase(o, "exhausted", absent: TPEExhausted.draw))
            if let problem = tpe.problem() { throw SchemaError("sampler '\(problem.key)' \(problem.message)") }
            return .tpe(tpe)
        default: throw SchemaError("'sampler.type' must be random or tpe")
        }
    }

    /// `sampler.avoid_duplicates` and `sampler.revisit`: logs written before the rule existed sampled
    /// without it, so absent (or null) means false.
    static func flag(_ o: Fields, _ key: String) throws(SchemaError) -> Bool {
        switch o.raw(key) {
        case nil, .null?: return false
        case .bool(let b)?: return b
        default: throw SchemaError("'\(key)' must be true or false")
        }
    }

    /// An optional text member naming a case of `E` (a `sampler` setting added after the first logs):
    /// absent (or null) means `absent`, the behaviour of the logs written before it existed (`split`:
    /// `level`; `exhausted`: `draw`).
    static func optionalCase<E: RawRepresentable & CaseIterable>(
        _ o: Fields, _ key: String, absent: E
    ) throws(SchemaError) -> E where E.RawValue == String {
        let problem = SchemaError("'\(key)' must be \(E.allCases.map(\.rawValue).joined(separator: " or "))")
        switch o.raw(key) {
        case nil, .null?: return absent
        case .string(let s)?:
            guard let value = E(rawValue: s) else { throw problem }
            return value
        default: throw problem
        }
    }

    /// A `sampled` event's optional `origin` (`model_resource` and `model_n` with a model's; `copy_of`,
    /// `copy_why` and, for a pad, `copy_for` with a copy's) and `note`.
    static func decodeSampleDetail(_ o: Fields) throws(SchemaError) -> SampleDetail {
        var detail = SampleDetail()
        switch o.raw("origin") {
        case nil, .null?: break
        case .string("random")?: detail.origin = .random
        case .string("model")?:
            detail.origin = .model(resource: try o.int("model_resource"), observations: try o.int("model_n"))
        case .string("copy")?:
            let why: CopyReason
            switch o.raw("copy_why") {
            case .string("worst")?: why = .worst
            case .string("retry")?: why = .retry
            case .string("pad")?: why = .pad(target: try o.int("copy_for"))
            default: throw SchemaError("'copy_why' must be worst, pad or retry")
            }
            detail.origin = .copy(of: try o.int("copy_of"), why: why)
        default: throw SchemaError("'origin' must be random, model or copy")
        }
        switch o.raw("note") {
        case nil, .null?: break
        case .string(let note)?: detail.note = note
        default: throw SchemaError("'note' must be a string")
        }
        return detail
    }
}

/// Typed access to an object's members with errors that name the member.
struct Fields {
    let value: JSONValue
    init(_ value: JSONValue) { self.value = value }

    func raw(_ key: String) -> JSONValue? { value[key] }

    func int(_ key: String) throws(SchemaError) -> Int {
        guard case .number(_, let i?)? = value[key] else { throw SchemaError("'\(key)' must be an integer") }
        return i
    }

    func optionalInt(_ key: String) throws(SchemaError) -> Int? {
        switch value[key] {
        case nil, .null?: return nil
        case .number(_, let i?)?: return i
        default: throw SchemaError("'\(key)' must be an integer or null")
        }
    }

    func double(_ key: String) throws(SchemaError) -> Double {
        switch value[key] {
        case .number(let d, _)?: return d
        case .string("NaN")?: return .nan
        case .string("Infinity")?: return .infinity
        case .string("-Infinity")?: return -.infinity
        default: throw SchemaError("'\(key)' must be a number")
        }
    }

    func optionalDouble(_ key: String) throws(SchemaError) -> Double? {
        if case .null? = value[key] { return nil }
        if value[key] == nil { return nil }
        return try double(key)
    }

    func string(_ key: String) throws(SchemaError) -> String {
        guard case .string(let s)? = value[key] else { throw SchemaError("'\(key)' must be a string") }
        return s
    }

    func object(_ key: String) throws(SchemaError) -> Fields {
        guard case .object? = value[key] else { throw SchemaError("'\(key)' must be an object") }
        return Fields(value[key]!)
    }

    func initiator() throws(SchemaError) -> Initiator {
        guard let i = Initiator(rawValue: try string("by")) else { throw SchemaError("'by' must be user or tuner") }
        return i
    }
}
