import ASHA
import Foundation

@testable import Objectives

/// A fresh temporary directory holding one script, `name`, with `text`; removed by `cleanUp()`.
struct ScriptDirectory {
    let path: String

    init(_ text: String, name: String = "train.sh") throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("ashb-command-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try write(name, text)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func read(_ name: String) -> String { (try? String(contentsOfFile: file(name), encoding: .utf8)) ?? "" }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }

    /// A command objective running `run` from this directory.
    func objective(_ run: String = "/bin/sh train.sh", maxResource: Int = 9, stopBetweenSteps: Bool = true)
        throws -> CommandObjective
    {
        try CommandObjective(
            run: run, maxResource: maxResource, graceSeconds: 2, stopBetweenSteps: stopBetweenSteps, baseDirectory: path
        )
    }
}

/// Whether process `pid` is gone: no such process, or a zombie that is not ours to reap (a
/// grandchild reparented to an init that has not reaped it yet). Polls until then, for at most
/// `seconds` (a bound against hanging, not a measurement: the signals are already sent).
func processIsGone(_ pid: Int32, seconds: Double = 20) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        if processState(pid) == "Z" { return true }
        if Date() > deadline { return false }
        usleep(2_000)
    }
}

/// The state letter of process `pid` in /proc (R, S, T, Z, …), or nil if it does not exist.
func processState(_ pid: Int32) -> String? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return nil }
    return stat[stat.index(close, offsetBy: 2)...].split(separator: " ").first.map(String.init)
}

/// Polls until process `pid` is in `state`, for at most `seconds`.
func waitForState(_ pid: Int32, _ state: String, seconds: Double = 20) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while processState(pid) != state {
        if Date() > deadline { return false }
        usleep(2_000)
    }
    return true
}

/// The message of the error `body` throws ("" if none).
func thrownMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch {
        return "\(error)"
    }
}
