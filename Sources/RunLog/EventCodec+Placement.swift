import ASHA

/// The `job_placed` event: `{"type":"job_placed","trial":3,"worker":1,"executor":"slurm","job":"70",
/// "step":null,"node":"node7","queued":0.14}`. Logs written before it existed have none; a reader that
/// predates it skips the line with a warning (lenient) like any unknown type.
extension EventCodec {
    /// The longest executor, job, step and node strings a log may hold (bytes).
    static let placementLimits = (executor: 32, job: 40, step: 16, node: 256)

    /// The members after `type`.
    static func encodePlacement(trial: TrialID, worker: Int, _ p: JobPlacement, into w: inout JSONWriter) {
        w.member("trial", trial)
        w.member("worker", worker)
        w.member("executor", p.executor)
        w.member("job", p.job)
        w.member("step", p.step)
        w.member("node", p.node)
        w.member("queued", p.queueSeconds)
    }

    static func decodePlacement(_ o: Fields) throws(SchemaError) -> RunEvent.Body {
        func text(_ key: String, max: Int) throws(SchemaError) -> String {
            let s = try o.string(key)
            guard !s.isEmpty, s.utf8.count <= max else { throw SchemaError("'\(key)' must be 1 to \(max) bytes") }
            return s
        }
        var step: String?
        switch o.raw("step") {
        case nil, .null?: break
        case .string(let s)? where !s.isEmpty && s.utf8.count <= placementLimits.step: step = s
        default: throw SchemaError("'step' must be null or 1 to \(placementLimits.step) bytes")
        }
        let queued = try o.double("queued")
        guard queued.isFinite, queued >= 0 else { throw SchemaError("'queued' must be a number of seconds") }
        let placement = JobPlacement(
            executor: try text("executor", max: placementLimits.executor),
            job: try text("job", max: placementLimits.job),
            step: step, node: try text("node", max: placementLimits.node), queueSeconds: queued)
        return .jobPlaced(trial: try o.int("trial"), worker: try o.int("worker"), placement: placement)
    }
}
