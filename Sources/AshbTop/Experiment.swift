import ASHA
import Foundation
import Objectives
import RunLog
import TextSafety
import Tuner

/// A spec resolved against its objective: everything needed to make a tuner.
struct Experiment {
    var spec: ExperimentSpec
    /// The absolute directory the spec's relative paths resolve against.
    var baseDirectory: String?
    var objective: any Objective
    var space: SearchSpace
    var settings: SchedulerSettings

    /// Reads and checks the spec (the demo when `specPath` is nil) and applies command-line overrides.
    static func load(specPath: String?, seed: UInt64?, workers: Int?, simulate: Bool) throws -> Experiment {
        let text: String
        var baseDirectory: String?
        if let specPath {
            text = try readSpec(specPath)
            let dir = (specPath as NSString).deletingLastPathComponent
            baseDirectory = URL(fileURLWithPath: dir.isEmpty ? "." : dir).standardizedFileURL.path
        } else {
            text = demoSpecText
        }
        let label = specPath.map { Sanitizer.clean($0, maxColumns: 200) } ?? "built-in demo spec"
        return try load(
            specText: text, label: label, baseDirectory: baseDirectory, seed: seed, workers: workers,
            simulate: simulate)
    }

    /// Reads a spec file: a regular file of at most `SpecParser.maxBytes` bytes of UTF-8 text. Anything
    /// else (missing, a directory, a FIFO, a device) is a spec error (exit 2), and nothing blocks: a FIFO
    /// is opened without waiting for a writer.
    static func readSpec(_ path: String) throws -> String {
        let name = Sanitizer.clean(path, maxColumns: 200)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw CLIError("cannot read the spec '\(name)': \(reason)", exitCode: 2)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw CLIError("cannot read the spec '\(name)': not a regular file", exitCode: 2)
        }
        guard st.st_size <= SpecParser.maxBytes else {
            throw CLIError("cannot read the spec '\(name)': larger than \(SpecParser.maxBytes) bytes", exitCode: 2)
        }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw CLIError("cannot read the spec '\(name)': \(String(cString: strerror(errno)))", exitCode: 2)
            }
            if n == 0 { break }
            count += n
        }
        guard count <= SpecParser.maxBytes else {
            throw CLIError("cannot read the spec '\(name)': larger than \(SpecParser.maxBytes) bytes", exitCode: 2)
        }
        guard let text = String(validating: bytes[..<count], as: UTF8.self) else {
            throw CLIError("cannot read the spec '\(name)': not UTF-8 text", exitCode: 2)
        }
        return text
    }

    /// Checks a spec's text (`label` names it in errors) and applies command-line overrides.
    static func load(
        specText text: String, label: String, baseDirectory: String?, seed: UInt64?, workers: Int?, simulate: Bool,
        extraTrials: Int = 0
    ) throws -> Experiment {
        var spec: ExperimentSpec
        do {
            spec = try SpecParser.parse(text, defaultName: "run")
        } catch {
            throw CLIError("\(label): \(error)", exitCode: 2)
        }
        if let seed { spec.settings.seed = seed }
        if let workers { spec.workers = workers }
        if simulate { spec.simulated = true }
        let objective: any Objective
        do {
            objective = try ObjectiveCatalog.make(
                name: spec.objective, options: spec.objectiveOptions, baseDirectory: baseDirectory)
        } catch {
            // The objective names the option at fault as "option 'key'": point at that option's line.
            let option = spec.objectiveOptionLines.keys.first { "\(error)".contains("option '\($0)'") }
            let line = option.flatMap { spec.objectiveOptionLines[$0] } ?? spec.objectiveLine
            let key = option.map { "objective.\($0)" } ?? "objective"
            throw CLIError("\(label): line \(line): '\(key)': \(error)", exitCode: 2)
        }
        var settings = spec.settings
        if let metric = spec.metric, metric != objective.metric {
            let at = "line \(spec.metricLine ?? 1): "
            throw CLIError(
                "\(label): \(at)'metric': \(objective.name) reports '\(objective.metric)', not '\(Sanitizer.clean(metric, maxColumns: 200))'",
                exitCode: 2)
        }
        if !spec.goalGiven { settings.goal = objective.goal }
        if extraTrials > 0, let m = settings.maxTrials { settings.maxTrials = m + extraTrials }
        if let cap = objective.maxResource, settings.maxResource > cap {
            throw CLIError(
                "\(label): line \(spec.maxResourceLine ?? spec.schedulerLine ?? spec.objectiveLine): "
                    + "'scheduler.max_resource': \(settings.maxResource) is more than \(objective.name) "
                    + "can train to (\(cap))", exitCode: 2)
        }
        let space = spec.space ?? objective.defaultSpace
        do {
            _ = try ASHAScheduler(space: space, settings: settings)
        } catch {
            throw CLIError("\(label): line \(spec.schedulerLine ?? 1): 'scheduler': \(error)", exitCode: 2)
        }
        return Experiment(
            spec: spec, baseDirectory: baseDirectory, objective: objective, space: space, settings: settings)
    }

    /// A tuner for this experiment; with `spillDirectory`, idle trials' state waits on disk, not in memory.
    func makeTuner(sinks: [any EventSink], spillDirectory: String? = nil) throws -> Tuner {
        try Tuner(
            objective: objective, space: space, settings: settings,
            options: TunerOptions(
                name: spec.name, workers: spec.workers, maxSeconds: spec.maxSeconds, trialTimeLimit: spec.trialSeconds,
                spillDirectory: spillDirectory),
            backend: spec.simulated ? .simulated : .dispatch, sinks: sinks)
    }
}
