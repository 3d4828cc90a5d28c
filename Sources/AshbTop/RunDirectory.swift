import ArgumentParser
import Foundation
import TextSafety

/// Where a run keeps its files: `<runs>/<name>-<UTC time>/`, holding `events.jsonl` (the run log) and
/// `ashb-top.log` (diagnostics written while the dashboard owns the screen).
struct RunDirectory {
    let path: String
    var eventsPath: String { path + "/events.jsonl" }
    var diagnosticsPath: String { path + "/ashb-top.log" }
    var checkpointsPath: String { path + "/checkpoints" }

    /// Makes a new, unique run directory under `root` (created if needed).
    static func create(root: String, name: String, now: Date = Date()) throws -> RunDirectory {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create the runs directory '\(root)': \(error.localizedDescription)")
        }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        let base = "\(root)/\(fileSafe(name))-\(f.string(from: now))"
        for n in 0..<1000 {
            let candidate = n == 0 ? base : "\(base)-\(n)"
            if mkdir(candidate, 0o755) == 0 { return RunDirectory(path: candidate) }
            if errno != EEXIST {
                throw CLIError("cannot create the run directory '\(candidate)': \(String(cString: strerror(errno)))")
            }
        }
        throw CLIError("cannot find a free run directory name under '\(root)'")
    }

    /// Finds the events file of a run given as a directory or as the file itself.
    static func eventsFile(for argument: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDir) else {
            throw CLIError("'\(Sanitizer.clean(argument, maxColumns: 200))': no such run directory or events file")
        }
        return isDir.boolValue ? argument + "/events.jsonl" : argument
    }
}

/// Runs a command's body; a `CLIError` becomes one line on standard error and its exit status, an
/// `ExitCodeError` its status (everything was printed already). ArgumentParser handles the rest.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as CLIError {
        Console.err("ashb-top: \(e.description)\n")
        throw ExitCode(e.exitCode)
    } catch let e as ExitCodeError {
        throw ExitCode(e.code)
    }
}

/// An error the command line reports as one line and exits non-zero for.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let exitCode: Int32
    init(_ message: String, exitCode: Int32 = 1) {
        description = message
        self.exitCode = exitCode
    }
}
