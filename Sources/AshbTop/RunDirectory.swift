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

    /// The last `lines` lines of trial `trial`'s `trials/<id>/stderr.log` under `runPath` (read from its
    /// last 16 KiB; none when there is no such file).
    static func stderrTail(runPath: String, trial: Int, lines: Int = 6) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: "\(runPath)/trials/\(trial)/stderr.log") else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > 16_384 ? size - 16_384 : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        var all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0) }
        if start > 0, !all.isEmpty { all.removeFirst() }  // a partial first line
        while all.last?.isEmpty == true { all.removeLast() }
        return Array(all.suffix(lines))
    }

    /// Makes a new, unique run directory under `root` (created if needed).
    static func create(root: String, name: String, now: Date = Date()) throws -> RunDirectory {
        try makeDirectories(root)
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

    /// `mkdir -p root`, with an error that says which part failed and why (Foundation's says
    /// "NSCocoaErrorDomain error 512" when a part of the path is a file).
    static func makeDirectories(_ root: String) throws {
        let shown = Sanitizer.clean(root, maxColumns: 200)
        var prefix = root.hasPrefix("/") ? "/" : ""
        for part in root.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            if mkdir(prefix, 0o755) == 0 { continue }
            let error = errno
            var st = stat()
            if error == EEXIST, stat(prefix, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFDIR { continue }
                throw CLIError(
                    "cannot create the runs directory '\(shown)': '\(Sanitizer.clean(prefix, maxColumns: 200))' "
                        + "exists and is not a directory")
            }
            throw CLIError(
                "cannot create the runs directory '\(shown)': \(Sanitizer.clean(prefix, maxColumns: 200)): "
                    + String(cString: strerror(error)))
        }
    }

    /// Finds the events file of a run given as a directory or as the file itself.
    static func eventsFile(for argument: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDir) else {
            throw CLIError("'\(Sanitizer.clean(argument, maxColumns: 200))': no such run directory or events file")
        }
        guard isDir.boolValue else { return argument }
        let directory = trimmingSlashes(argument)
        return directory == "/" ? "/events.jsonl" : directory + "/events.jsonl"
    }

    /// `runs/NAME/` (what a shell completes) as `runs/NAME`, so the paths printed have no `//`.
    static func trimmingSlashes(_ path: String) -> String {
        var directory = Substring(path)
        while directory.count > 1, directory.hasSuffix("/") { directory = directory.dropLast() }
        return String(directory)
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
