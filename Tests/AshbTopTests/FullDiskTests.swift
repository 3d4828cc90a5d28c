import Foundation
import RunLog
import Testing

@testable import AshbTop

/// A run whose log cannot be written stops, says so, and exits non-zero (issue 10, item 7).
@Suite(.serialized) struct FullDiskTests {
    static let spec = """
        name: full
        objective: {name: branin, cost: 0.5}
        scheduler: {variant: promotion, max_resource: 27}
        workers: 4
        budget: {trials: 200000}
        seed: 3
        clock: simulated
        """

    @Test func aRunWhoseLogFailsStopsInsteadOfTrainingUnrecorded() throws {
        let x = try Experiment.load(
            specText: Self.spec, label: "s", baseDirectory: nil, seed: nil, workers: nil, simulate: false)
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        let log = LogWriter(descriptor: fd, path: "/dev/full")
        let tuner = try x.makeTuner(sinks: [log])
        RunDriver.stopOnLogFailure(tuner, log: log)
        let summary = tuner.run()
        #expect(
            summary.endReason?.hasPrefix("the run log cannot be written") == true,
            "\(String(describing: summary.endReason))")
        let trials = summary.counts.values.reduce(0, +)
        #expect(trials < 200_000, "the run went on to its budget: \(trials) trials")
    }

    /// On a real, tiny file system (needs root to mount one; skipped otherwise).
    @Test(.enabled(if: getuid() == 0)) func aFullFileSystemStopsTheRunWithExitOne() throws {
        let mount = newDirectory()
        let mounted = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=200k", "tmpfs", mount])
        try #require(mounted == 0, "cannot mount a tmpfs")
        defer { _ = try? runCommand("/bin/umount", [mount]) }
        let spec = temporaryFile("s.yaml", Self.spec.replacingOccurrences(of: "clock: simulated", with: "clock: wall"))
        let r = try runAshbTop(["run", spec, "--headless", "--runs-dir", mount])
        #expect(r.status == 1, "\(r.err)")
        #expect(r.out.contains("run ended: the run log cannot be written"), "\(r.out.suffix(500))")
        #expect(r.err.contains("No space left on device"), "\(r.err)")
        // What was written stays readable, and a resume (after freeing space) could continue it.
        let reader = try LogReader(path: try onlyRun(in: mount) + "/events.jsonl")
        #expect(try reader.readAll().count > 10)
    }
}

/// Runs a program and returns its exit status.
func runCommand(_ path: String, _ args: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}
