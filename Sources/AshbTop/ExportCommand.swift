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
            last_resource, last_value, status, reason.
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

    @Flag(help: "Skip corrupt lines in the log (each is reported on standard error) instead of stopping.")
    var lenient = false

    func run() throws {
        try reportingErrors {
            let path = try RunDirectory.eventsFile(for: self.path)
            let reader: LogReader
            do { reader = try LogReader(path: path, lenient: lenient) } catch { throw CLIError("\(error)") }
            var table = RunState()
            do {
                while let e = try reader.next() { table.apply(e) }
            } catch {
                throw CLIError("\(error)")
            }
            for w in reader.warnings { Console.err("ashb-top: \(path): \(w)\n") }
            if let warning = table.violationWarning { Console.err("ashb-top: \(path): \(warning)\n") }
            let text = format == .csv ? Self.csv(table) : Self.json(table)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
                    throw CLIError("cannot write '\(Sanitizer.clean(output, maxColumns: 200))'")
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

    static func csv(_ table: RunState) -> String {
        let params = parameterNames(table)
        var out =
            (["trial", "bracket"] + params + [
                "highest_rung", "highest_resource", "last_resource", "last_value", "status", "reason",
            ]).map(csvField).joined(separator: ",") + "\n"
        for r in table.trials {
            var fields = [String(r.id), String(r.bracket)]
            for p in params { fields.append(r.config[p]?.description ?? "") }
            fields += [
                String(r.highestRung), String(r.highestRungResource), String(r.lastResource),
                r.lastValue.map { $0.isFinite ? $0.description : formatShort($0) } ?? "", r.status.rawValue, r.reason,
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
        var w = JSONWriter()
        w.beginArray()
        for r in table.trials {
            w.beginObject()
            w.key("trial")
            w.int(r.id)
            w.key("bracket")
            w.int(r.bracket)
            w.key("config")
            EventCodec.encode(r.config, into: &w)
            w.key("highest_rung")
            w.int(r.highestRung)
            w.key("highest_resource")
            w.int(r.highestRungResource)
            w.key("last_resource")
            w.int(r.lastResource)
            w.key("last_value")
            if let v = r.lastValue { w.double(v) } else { w.null() }
            w.key("status")
            w.string(r.status.rawValue)
            w.key("reason")
            w.string(r.reason)
            w.endObject()
        }
        w.endArray()
        w.appendRaw(0x0A)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
