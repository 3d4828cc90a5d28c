import ASHA
import ArgumentParser
import Foundation
import RunLog
import TextSafety

/// `ashb-top export RUN`: one row per trial, as CSV or JSON.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one row per trial of a recorded run (CSV or JSON), ready for pandas or a spreadsheet.",
        discussion: """
            Columns: trial, bracket, one column per hyperparameter, highest_rung, highest_resource, \
            last_resource, last_value, status, reason (JSON: an array of objects with these members, the \
            hyperparameters in a config object). A CSV field a spreadsheet would read as a formula is prefixed \
            with '. Numbers are written in their shortest form that reads back to the same double (as in the log). A trial still waiting at a rung when the run ended is \
            "not_promoted", and its reason names the rung. With --curves: one row per reported step \
            (trial, resource, value, time), the table learning curves are plotted from.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv
        case json
    }

    @Argument(help: "A run directory, or its events.jsonl file.")
    var path: String

    @Option(help: "Output format: csv or json.")
    var format: Format = .csv

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @Flag(help: "One row per reported step (trial, resource, value, time) instead of one per trial.")
    var curves = false

    @Flag(help: "Skip corrupt lines in the log (each is reported on standard error) instead of stopping.")
    var lenient = false

    func run() throws {
        try reportingErrors {
            let path = try RunDirectory.eventsFile(for: self.path)
            let reader: LogReader
            do { reader = try LogReader(path: path, lenient: lenient) } catch { throw CLIError("\(error)") }
            var table = RunState()
            var steps: [(trial: Int, resource: Int, value: Double, time: Double)] = []
            do {
                while let e = try reader.next() {
                    table.apply(e)
                    if curves, case .metric(let t, let r, let v) = e.body { steps.append((t, r, v, e.time)) }
                }
            } catch {
                throw CLIError("\(error)")
            }
            for w in reader.warnings { Console.err("ashb-top: \(path): \(w)\n") }
            if let warning = table.violationWarning { Console.err("ashb-top: \(path): \(warning)\n") }
            let text =
                curves
                ? (format == .csv ? Self.curvesCSV(steps) : Self.curvesJSON(steps))
                : (format == .csv ? Self.csv(table) : Self.json(table))
            if let output {
                // Written in place, never by an atomic rename (which `createFile` does): `-o` may name a
                // symlink, a FIFO or a device (/dev/stdout, /dev/null), which a rename would replace.
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                } catch {
                    throw CLIError(
                        "cannot write '\(Sanitizer.clean(output, maxColumns: 200))': \(error.localizedDescription)")
                }
            } else {
                // Data for a file or a pipe stays exact; on a terminal every line is sanitized.
                if isatty(STDOUT_FILENO) == 1 {
                    Console.out(text)
                } else {
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            }
        }
    }

    /// Parameter names: the run's, in order, then any others a configuration carries.
    static func parameterNames(_ table: RunState) -> [String] {
        var names = table.info?.parameters ?? []
        var seen = Set(names)
        for row in table.trials {
            for e in row.config.entries where seen.insert(e.name).inserted { names.append(e.name) }
        }
        return names
    }

    /// A number in its shortest form that reads back to the same double (Swift's description), as
    /// the log writes it; non-finite values as NaN, Inf, -Inf.
    static func exact(_ d: Double) -> String { d.isFinite ? d.description : formatShort(d) }

    /// A hyperparameter value exactly (doubles round-trip).
    static func exact(_ v: ParameterValue) -> String {
        if case .double(let d) = v { return exact(d) }
        return v.description
    }

    /// The status to export: a trial still waiting at a rung when the run ended was not promoted.
    static func status(_ r: RunState.Trial, ended: Bool) -> (String, String) {
        guard ended, r.status == .waiting else { return (r.status.rawValue, r.reason) }
        return ("not_promoted", "waited at rung \(r.highestRung) (r=\(r.highestRungResource)) when the run ended")
    }

    static func curvesCSV(_ steps: [(trial: Int, resource: Int, value: Double, time: Double)]) -> String {
        var out = "trial,resource,value,time\n"
        for s in steps { out += "\(s.trial),\(s.resource),\(exact(s.value)),\(exact(s.time))\n" }
        return out
    }

    static func curvesJSON(_ steps: [(trial: Int, resource: Int, value: Double, time: Double)]) -> String {
        jsonArrayText(steps) { w, s in
            w.member("trial", s.trial)
            w.member("resource", s.resource)
            w.member("value", s.value)
            w.member("time", s.time)
        } + "\n"
    }

    static func csv(_ table: RunState) -> String {
        let params = parameterNames(table)
        var out =
            (["trial", "bracket"] + params + [
                "highest_rung", "highest_resource", "last_resource", "last_value", "status", "reason",
            ]).map(csvField).joined(separator: ",") + "\n"
        for r in table.trials {
            var fields = [String(r.id), String(r.bracket)]
            for p in params { fields.append(r.config[p].map(exact) ?? "") }
            let (status, reason) = Self.status(r, ended: table.endReason != nil)
            fields += [
                String(r.highestRung), String(r.highestRungResource), String(r.lastResource),
                r.lastValue.map(exact) ?? "", status, reason,
            ]
            out += fields.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Quotes a field when it holds a comma, quote or line break; neutralizes spreadsheet formulas.
    static func csvField(_ s: String) -> String {
        var v = s
        if let first = v.first, "=+@".contains(first) || (first == "-" && Double(v) == nil) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    static func json(_ table: RunState) -> String {
        jsonArrayText(table.trials) { w, r in
            w.member("trial", r.id)
            w.member("bracket", r.bracket)
            w.key("config")
            EventCodec.encode(r.config, into: &w)
            w.member("highest_rung", r.highestRung)
            w.member("highest_resource", r.highestRungResource)
            w.member("last_resource", r.lastResource)
            w.member("last_value", r.lastValue)
            let (status, reason) = Self.status(r, ended: table.endReason != nil)
            w.member("status", status)
            w.member("reason", reason)
        } + "\n"
    }
}
