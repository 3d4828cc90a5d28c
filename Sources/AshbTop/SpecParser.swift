import ASHA
import ObjectiveProtocol
import Objectives
import TextSafety
import Tuner
import Yams

/// Reads an experiment spec from YAML, strictly: unknown keys are errors, every error names its key
/// and line, and values are checked for type and range before anything runs.
public enum SpecParser {
    /// The largest spec accepted, in bytes.
    public static let maxBytes = 1 << 20

    static let topKeys = [
        "name", "objective", "metric", "goal", "space", "scheduler", "sampler", "workers", "budget", "seed", "clock",
        "gpus", "gpus_per_worker", "keep_checkpoints", "executor",
    ]
    static let samplerKeys = [
        "type", "random_fraction", "min_points", "candidates", "gamma", "min_good", "bandwidth_factor",
        "min_bandwidth", "max_kernels", "min_distance", "avoid_duplicates", "split", "revisit", "exhausted",
    ]
    static let schedulerKeys = [
        "variant", "min_resource", "max_resource", "eta", "min_early_stopping_rate", "brackets",
    ]
    static let budgetKeys = ["trials", "total_resource", "seconds", "trial_seconds", "max_failures"]

    /// Parses `text`; `defaultName` names the run when the spec does not.
    public static func parse(_ text: String, defaultName: String = "run") throws(SpecError) -> ExperimentSpec {
        guard text.utf8.count <= maxBytes else {
            throw SpecError(key: "", line: 1, message: "the spec is larger than \(maxBytes) bytes")
        }
        // The YAML parser recurses once per level: bound the nesting before it sees the text.
        if let line = SpecNesting.firstTooDeepLine(text) {
            throw SpecError(
                key: "", line: line, message: "nested more than \(SpecNesting.maxDepth) levels deep (lists or mappings)"
            )
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw SpecError(key: "", line: 1, message: "the spec is empty")
            }
            root = node
        } catch let e as SpecError {
            throw e
        } catch let e as YamlError {
            throw SpecError(key: "", line: yamlLine(e) ?? 1, message: "not valid YAML: \(yamlMessage(e))")
        } catch {
            throw SpecError(key: "", line: 1, message: "not valid YAML: \(error)")
        }
        let top = try mapping(root, "")
        try checkKeys(top, allowed: topKeys, path: "")

        var spec = ExperimentSpec(name: defaultName, objective: "", text: text)
        if let n = top["name"] { spec.name = try string(n, "name") }

        // Objective: a name, or a mapping with `name` and options.
        guard let obj = top["objective"] else {
            throw SpecError(key: "objective", line: root.mark?.line, message: "required: the objective to tune")
        }
        spec.objectiveLine = obj.mark?.line ?? 1
        if let s = obj.scalar {
            spec.objective = s.string
        } else {
            let m = try mapping(obj, "objective")
            guard let nameNode = m["name"] else {
                throw SpecError(key: "objective.name", line: obj.mark?.line, message: "required")
            }
            spec.objective = try string(nameNode, "objective.name")
            for (k, v) in m where k.key != "name" {
                spec.objectiveOptions[k.key] = try scalarValue(v, "objective.\(k.key)")
                spec.objectiveOptionLines[k.key] = k.mark?.line
            }
        }

        if let g = top["goal"] {
            spec.settings.goal = try choice(g, "goal", among: ["minimize", "maximize"])
            spec.goalGiven = true
        }
        if let m = top["metric"] {
            spec.metric = try string(m, "metric")
            spec.metricLine = m.mark?.line
        }

        if let s = top["space"] {
            spec.space = try space(s)
            spec.spaceLine = top.first { $0.key.key == "space" }?.key.mark?.line
            for (k, _) in try mapping(s, "space") { spec.spaceParameterLines[k.key] = k.mark?.line }
        }

        if let s = top["scheduler"] {
            spec.schedulerLine = s.mark?.line
            let m = try mapping(s, "scheduler")
            try checkKeys(m, allowed: schedulerKeys, path: "scheduler")
            if let v = m["variant"] {
                spec.settings.variant = try choice(v, "scheduler.variant", among: ["promotion", "stopping"])
            }
            if let v = m["min_resource"] { spec.settings.minResource = try int(v, "scheduler.min_resource", min: 1) }
            spec.maxResourceLine = m["max_resource"]?.mark?.line
            if let v = m["max_resource"] { spec.settings.maxResource = try int(v, "scheduler.max_resource", min: 1) }
            if let v = m["eta"] { spec.settings.reductionFactor = try int(v, "scheduler.eta", min: 2) }
            if let v = m["min_early_stopping_rate"] {
                spec.settings.minEarlyStoppingRate = try int(v, "scheduler.min_early_stopping_rate", min: 0)
            }
            if let v = m["brackets"] { spec.settings.brackets = try int(v, "scheduler.brackets", min: 1, max: 32) }
            if spec.settings.maxResource < spec.settings.minResource {
                throw SpecError(
                    key: "scheduler.max_resource", line: m["max_resource"]?.mark?.line ?? s.mark?.line,
                    message: "must be at least min_resource (\(spec.settings.minResource))")
            }
        }
        if let n = top["sampler"] {
            spec.settings.sampler = try sampler(n)
            spec.samplerGiven = true
        } else {
            spec.settings.sampler = .tpe(TPESettings())
        }
        if let w = top["workers"] {
            spec.workers = try int(w, "workers", min: 1, max: 512)
            spec.workersGiven = true
        }
        if let g = top["gpus"] {
            spec.gpus = try gpus(g)
            spec.gpusLine = g.mark?.line
        }
        if let g = top["gpus_per_worker"] {
            guard top["gpus"] != nil else {
                throw SpecError(key: "gpus_per_worker", line: g.mark?.line, message: "needs 'gpus'")
            }
            spec.gpusPerWorker = try int(g, "gpus_per_worker", min: 1, max: 64)
        }
        if let b = top["budget"] {
            let m = try mapping(b, "budget")
            try checkKeys(m, allowed: budgetKeys, path: "budget")
            if let v = m["trials"] { spec.settings.maxTrials = try int(v, "budget.trials", min: 1) }
            if let v = m["total_resource"] {
                spec.settings.maxTotalResource = try int(v, "budget.total_resource", min: 1)
            }
            if let v = m["seconds"] { spec.maxSeconds = try positive(v, "budget.seconds") }
            if let v = m["trial_seconds"] { spec.trialSeconds = try positive(v, "budget.trial_seconds") }
            if let v = m["max_failures"] {
                spec.maxFailures = try int(v, "budget.max_failures", min: 0, max: 1_000_000)
            }
        }
        if let s = top["seed"] {
            guard let text = s.scalar?.string, let seed = UInt64(text) else {
                throw SpecError(key: "seed", line: s.mark?.line, message: "must be a whole number from 0 to 2^64-1")
            }
            spec.settings.seed = seed
        }
        if let e = top["executor"] {
            spec.executor = try executor(e)
            spec.executorLine = e.mark?.line
        }
        if let c = top["clock"] {
            spec.simulated = try oneOf(c, "clock", among: ["wall", "simulated"]) == "simulated"
        }
        if let k = top["keep_checkpoints"] {
            spec.keepCheckpoints = try choice(k, "keep_checkpoints", among: ["best", "all", "none"])
            spec.keepCheckpointsGiven = true
        }
        return spec
    }

    // MARK: - Sampler

    /// `sampler: random`, `sampler: tpe` (its defaults), or a mapping with `type` and TPE settings.
    static func sampler(_ node: Node) throws(SpecError) -> SamplerSettings {
        if node.scalar != nil {
            return try oneOf(node, "sampler", among: ["random", "tpe"]) == "tpe" ? .tpe(TPESettings()) : .random
        }
        let m = try mapping(node, "sampler")
        try checkKeys(m, allowed: samplerKeys, path: "sampler")
        let typeNode = try need(m, "type", "sampler", node)
        switch try oneOf(typeNode, "sampler.type", among: ["random", "tpe"]) {
        case "random":
            if let extra = m.first(where: { $0.key.key != "type" }) {
                throw SpecError(
                    key: "sampler.\(extra.key.key)", line: extra.key.mark?.line,
                    message: "applies to the tpe sampler only")
            }
            return .random
        default: break
        }
        var tpe = TPESettings()
        if let v = m["random_fraction"] { tpe.randomFraction = try number(v, "sampler.random_fraction") }
        if let v = m["min_points"] { tpe.minPoints = try int(v, "sampler.min_points") }
        if let v = m["candidates"] { tpe.candidates = try int(v, "sampler.candidates") }
        if let v = m["gamma"] { tpe.gamma = try number(v, "sampler.gamma") }
        if let v = m["min_good"] { tpe.minGood = try int(v, "sampler.min_good") }
        if let v = m["bandwidth_factor"] { tpe.bandwidthFactor = try number(v, "sampler.bandwidth_factor") }
        if let v = m["min_bandwidth"] { tpe.minBandwidth = try number(v, "sampler.min_bandwidth") }
        if let v = m["max_kernels"] { tpe.maxKernels = try int(v, "sampler.max_kernels") }
        if let v = m["min_distance"] { tpe.minDistance = try number(v, "sampler.min_distance") }
        if let v = m["avoid_duplicates"] {
            guard let b = v.bool else {
                throw SpecError(key: "sampler.avoid_duplicates", line: v.mark?.line, message: "must be true or false")
            }
            tpe.avoidDuplicates = b
        }
        if let v = m["revisit"] {
            guard let b = v.bool else {
                throw SpecError(key: "sampler.revisit", line: v.mark?.line, message: "must be true or false")
            }
            tpe.revisitStopped = b
        }
        if let v = m["split"] {
            tpe.split = try choice(v, "sampler.split", among: ["progress", "level"])
        }
        if let v = m["exhausted"] {
            tpe.exhausted = try choice(v, "sampler.exhausted", among: ["rescue", "deepen", "draw"])
        }
        if let problem = tpe.problem() {
            let line = m[problem.key]?.mark?.line ?? node.mark?.line
            throw SpecError(key: "sampler.\(problem.key)", line: line, message: problem.message)
        }
        return .tpe(tpe)
    }

    // MARK: - GPUs

    /// `auto`, or a list of device ids: whole numbers ≥ 0 or ids such as `GPU-8d2c…` (letters, digits, `-`).
    static func gpus(_ node: Node) throws(SpecError) -> GPUList {
        if let text = node.scalar?.string, text == "auto" { return .auto }
        guard let seq = node.sequence else {
            throw SpecError(
                key: "gpus", line: node.mark?.line, message: "must be auto or a list of device ids, e.g. [0, 1]")
        }
        var ids: [String] = []
        for item in seq {
            let text = item.scalar?.string ?? ""
            let ok =
                !text.isEmpty && text.count <= 64
                && text.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")
                }
            guard ok else {
                throw SpecError(
                    key: "gpus", line: item.mark?.line ?? node.mark?.line,
                    message:
                        "a device id must be a number or letters, digits and '-' (got '\(Sanitizer.clean(text, maxColumns: 200))')"
                )
            }
            guard !ids.contains(text) else {
                throw SpecError(key: "gpus", line: item.mark?.line, message: "device \(text) is listed twice")
            }
            ids.append(text)
        }
        guard !ids.isEmpty, ids.count <= 512 else {
            throw SpecError(key: "gpus", line: node.mark?.line, message: "must list 1 to 512 devices")
        }
        return .devices(ids)
    }

    // MARK: - Search space

    static let kinds = ["uniform", "loguniform", "int", "logint", "choice", "constant"]

    static func space(_ node: Node) throws(SpecError) -> SearchSpace {
        let m = try mapping(node, "space")
        var params: [Parameter] = []
        for (k, v) in m {
            let name = k.key
            let path = "space.\(name)"
            if let text = v.scalar?.string {
                // A bare value: most likely meant as a fixed one.
                throw SpecError(
                    key: path, line: v.mark?.line,
                    message: "must be a mapping with a type (\(kinds.joined(separator: ", "))); a fixed value is "
                        + "{type: constant, value: \(Sanitizer.clean(text, maxColumns: 60))}")
            }
            let pm = try mapping(v, path)
            guard let kindNode = pm["type"] else {
                throw SpecError(
                    key: "\(path).type", line: v.mark?.line,
                    message: "required: one of \(kinds.joined(separator: ", "))")
            }
            let kind = try string(kindNode, "\(path).type")
            let domain: Domain
            switch kind {
            case "uniform", "loguniform":
                try checkKeys(pm, allowed: ["type", "low", "high", "step"], path: path)
                let low = try number(try need(pm, "low", path, v), "\(path).low")
                let high = try number(try need(pm, "high", path, v), "\(path).high")
                let step = try pm["step"].map { n throws(SpecError) in try number(n, "\(path).step") }
                domain =
                    kind == "uniform"
                    ? .uniform(low: low, high: high, step: step) : .logUniform(low: low, high: high, step: step)
            case "int", "logint":
                try checkKeys(pm, allowed: ["type", "low", "high"], path: path)
                let low = try int(try need(pm, "low", path, v), "\(path).low")
                let high = try int(try need(pm, "high", path, v), "\(path).high")
                domain = kind == "int" ? .int(low: low, high: high) : .logInt(low: low, high: high)
            case "choice":
                try checkKeys(pm, allowed: ["type", "values"], path: path)
                let valuesNode = try need(pm, "values", path, v)
                guard let seq = valuesNode.sequence else {
                    throw SpecError(key: "\(path).values", line: valuesNode.mark?.line, message: "must be a list")
                }
                var values: [ParameterValue] = []
                for item in seq { values.append(try scalarValue(item, "\(path).values")) }
                domain = .choice(values)
            case "constant":
                try checkKeys(pm, allowed: ["type", "value"], path: path)
                domain = .constant(try scalarValue(try need(pm, "value", path, v), "\(path).value"))
            default:
                throw SpecError(
                    key: "\(path).type", line: kindNode.mark?.line,
                    message:
                        "unknown type '\(kind)'\(didYouMean(kind, among: kinds)); use one of "
                        + kinds.joined(separator: ", "))
            }
            params.append(Parameter(name: name, domain: domain))
        }
        do {
            return try SearchSpace(params)
        } catch {
            let line = m.first { $0.key.key == error.name }?.key.mark?.line
            throw SpecError(key: "space.\(error.name)", line: line, message: error.message)
        }
    }

    // MARK: - Typed access

    static func mapping(_ node: Node, _ path: String) throws(SpecError) -> Node.Mapping {
        guard let m = node.mapping else {
            throw SpecError(key: path, line: node.mark?.line, message: "must be a mapping of keys to values")
        }
        var seen = Set<String>()
        for (k, _) in m {
            guard let key = k.scalar?.string else {
                throw SpecError(key: path, line: k.mark?.line, message: "keys must be plain text")
            }
            if !seen.insert(key).inserted {
                throw SpecError(key: join(path, key), line: k.mark?.line, message: "appears twice")
            }
        }
        return m
    }

    static func checkKeys(_ m: Node.Mapping, allowed: [String], path: String) throws(SpecError) {
        for (k, _) in m where !allowed.contains(k.key) {
            throw SpecError(
                key: join(path, k.key), line: k.mark?.line,
                message: "unknown key\(didYouMean(k.key, among: allowed)); expected one of "
                    + allowed.joined(separator: ", "))
        }
    }

    /// `node`'s text as the value of `T` it names, one of `allowed`; else "must be a, b or c", with the
    /// value given and the nearest allowed one when it is near (a misspelling).
    static func choice<T: RawRepresentable>(_ node: Node, _ path: String, among allowed: [String]) throws(SpecError)
        -> T where T.RawValue == String
    {
        let text = try oneOf(node, path, among: allowed)
        guard let value = T(rawValue: text) else { preconditionFailure("'\(text)' names no \(T.self)") }
        return value
    }

    /// `node`'s text, one of `allowed`; else "must be a, b or c", with the value given and the nearest
    /// allowed one when it is near.
    static func oneOf(_ node: Node, _ path: String, among allowed: [String]) throws(SpecError) -> String {
        let text = try string(node, path)
        if allowed.contains(text) { return text }
        throw SpecError(key: path, line: node.mark?.line, message: mustBe(allowed, got: text))
    }

    /// "must be a, b or c (got 'x'; did you mean 'a'?)", the guess only when one is near; `orElse` adds
    /// a last choice that is not a word ("local or slurm, or a mapping").
    static func mustBe(_ allowed: [String], got text: String, orElse: String? = nil) -> String {
        let list = allowed.dropLast().joined(separator: ", ") + " or " + (allowed.last ?? "")
        let hint = closest(to: text, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
        return
            "must be \(list)\(orElse.map { ", or " + $0 } ?? "") (got '\(Sanitizer.clean(text, maxColumns: 40))'\(hint))"
    }

    static func need(_ m: Node.Mapping, _ key: String, _ path: String, _ parent: Node) throws(SpecError) -> Node {
        guard let n = m[key] else {
            throw SpecError(key: "\(path).\(key)", line: parent.mark?.line, message: "required")
        }
        return n
    }

    static func string(_ node: Node, _ path: String) throws(SpecError) -> String {
        guard let s = node.scalar?.string, !s.isEmpty else {
            throw SpecError(key: path, line: node.mark?.line, message: "must be a non-empty text value")
        }
        guard s.count <= 200 else {
            throw SpecError(key: path, line: node.mark?.line, message: "longer than 200 characters")
        }
        return s
    }

    static func int(_ node: Node, _ path: String, min: Int = Int.min, max: Int = Int.max) throws(SpecError) -> Int {
        guard let s = node.scalar, let v = Int(s.string.replacingOccurrences(of: "_", with: "")) else {
            throw SpecError(key: path, line: node.mark?.line, message: "must be a whole number")
        }
        guard v >= min else { throw SpecError(key: path, line: node.mark?.line, message: "must be at least \(min)") }
        guard v <= max else { throw SpecError(key: path, line: node.mark?.line, message: "must be at most \(max)") }
        return v
    }

    static func number(_ node: Node, _ path: String) throws(SpecError) -> Double {
        guard let s = node.scalar, let v = Double(s.string.replacingOccurrences(of: "_", with: "")) ?? node.float
        else {
            throw SpecError(key: path, line: node.mark?.line, message: "must be a number")
        }
        guard v.isFinite else { throw SpecError(key: path, line: node.mark?.line, message: "must be finite") }
        return v
    }

    static func positive(_ node: Node, _ path: String) throws(SpecError) -> Double {
        let v = try number(node, path)
        guard v > 0 else { throw SpecError(key: path, line: node.mark?.line, message: "must be positive") }
        return v
    }

    /// A scalar as a parameter value: YAML booleans, integers, floats, else text.
    static func scalarValue(_ node: Node, _ path: String) throws(SpecError) -> ParameterValue {
        guard let s = node.scalar else {
            throw SpecError(key: path, line: node.mark?.line, message: "must be a single value, not a list or mapping")
        }
        if s.style == .plain {
            if let b = node.bool { return .bool(b) }
            if let i = Int(s.string) { return .int(i) }
            if let d = node.float, d.isFinite { return .double(d) }
        }
        guard s.string.count <= 200 else {
            throw SpecError(key: path, line: node.mark?.line, message: "longer than 200 characters")
        }
        return .string(s.string)
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func yamlLine(_ e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default: return nil
        }
    }

    static func yamlMessage(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default: return "\(e)"
        }
    }
}

extension Node {
    /// A mapping key's text ("" for a non-scalar key, which `mapping` rejects first).
    var key: String { scalar?.string ?? "" }
}
