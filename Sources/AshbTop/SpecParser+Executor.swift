import Objectives
import Yams

extension SpecParser {
    static let executorKeys = [
        "type", "partition", "time_limit", "cpus_per_task", "gpus_per_task", "extra_args", "queue_timeout",
        "max_retries",
    ]

    /// The `executor:` section: `local`, or a mapping with `type: local` or `type: slurm` and the Slurm
    /// keys. Every error names the key (`executor.time_limit`, `executor.extra_args[1]`) and its line.
    static func executor(_ node: Node) throws(SpecError) -> CommandExecutor {
        if let s = node.scalar {
            switch s.string {
            case "local": return .local
            case "slurm": return .slurm(try slurmSettings([:], node))
            default:
                throw SpecError(
                    key: "executor", line: node.mark?.line,
                    message: mustBe(["local", "slurm"], got: s.string, orElse: "a mapping"))
            }
        }
        let m = try mapping(node, "executor")
        try checkKeys(m, allowed: executorKeys, path: "executor")
        let typeNode = try need(m, "type", "executor", node)
        switch try oneOf(typeNode, "executor.type", among: ["local", "slurm"]) {
        case "local":
            if let extra = m.first(where: { $0.key.key != "type" }) {
                throw SpecError(
                    key: "executor.\(extra.key.key)", line: extra.key.mark?.line,
                    message: "only a slurm executor takes this key")
            }
            return .local
        case "slurm":
            var fields: [String: Node] = [:]
            for (k, v) in m { fields[k.key] = v }
            return .slurm(try slurmSettings(fields, node))
        default:
            preconditionFailure("oneOf returned a type it does not allow")
        }
    }

    private static func slurmSettings(_ fields: [String: Node], _ parent: Node) throws(SpecError) -> SlurmSettings {
        func text(_ key: String) throws(SpecError) -> String? {
            try fields[key].map { n throws(SpecError) in try string(n, "executor.\(key)") }
        }
        func whole(_ key: String, min: Int, max: Int) throws(SpecError) -> Int? {
            try fields[key].map { n throws(SpecError) in try int(n, "executor.\(key)", min: min, max: max) }
        }
        var extraArgs: [String] = []
        var extraLines: [Int?] = []
        if let e = fields["extra_args"] {
            guard let seq = e.sequence else {
                throw SpecError(
                    key: "executor.extra_args", line: e.mark?.line,
                    message: "must be a list of words, e.g. [\"--account=ml\", \"--qos=normal\"]")
            }
            for (i, item) in seq.enumerated() {
                guard let s = item.scalar?.string else {
                    throw SpecError(
                        key: "executor.extra_args[\(i)]", line: item.mark?.line, message: "must be a single word")
                }
                extraArgs.append(s)
                extraLines.append(item.mark?.line)
            }
        }
        let queueTimeout = try fields["queue_timeout"].map { n throws(SpecError) in
            try positive(n, "executor.queue_timeout")
        }
        let partition = try text("partition")
        let timeLimit = try text("time_limit")
        let cpus = try whole("cpus_per_task", min: 1, max: 4096)
        let gpus = try whole("gpus_per_task", min: 0, max: 64)
        let retries = try whole("max_retries", min: 0, max: 100) ?? SlurmSettings.defaultMaxRetries
        do {
            return try SlurmSettings(
                partition: partition, timeLimit: timeLimit, cpusPerTask: cpus, gpusPerTask: gpus,
                extraArgs: extraArgs, queueTimeout: queueTimeout, maxRetries: retries)
        } catch {
            var line = fields[error.key]?.mark?.line ?? parent.mark?.line
            if error.key.hasPrefix("extra_args["),
                let i = Int(error.key.dropFirst("extra_args[".count).dropLast()), extraLines.indices.contains(i)
            {
                line = extraLines[i]
            }
            throw SpecError(key: "executor.\(error.key)", line: line, message: error.message)
        }
    }
}
