import Foundation
import RunLog
import Testing

/// `kill -9` of real runs whose log is kept in small segments (rotations and zstd compressions many
/// times a second), then `resume`: every kill leaves a log that reads whole, and the resumed run goes on
/// from it.
@Suite(.serialized) struct SegmentedLogCrashTests {
    let spec = """
        name: segmented
        objective: zero
        workers: 2
        budget: {seconds: 60}
        seed: 3
        """

    /// Starts `ashb-top ARGS --headless` with 4 KiB log segments, output to files in `dir`.
    func start(_ arguments: [String], dir: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
        p.arguments = arguments + ["--headless"]
        var environment = ProcessInfo.processInfo.environment
        environment["ASHB_LOG_SEGMENT_BYTES"] = "4096"
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// The number of the newest closed segment in `run` (0 while there is none).
    func newestSegment(_ run: String) -> Int {
        LogSegments.closed(live: run + "/events.jsonl").last?.number ?? 0
    }

    /// Waits (at most 60 s) until the run under `root` has closed `segments` more segments than `from`.
    func waitForSegments(root: String, from: Int, more segments: Int) -> String? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let name = try? FileManager.default.contentsOfDirectory(atPath: root).first {
                let run = root + "/" + name
                if newestSegment(run) >= from + segments { return run }
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    /// The log's events, checked to be numbered 0, 1, 2, ... with nothing missing.
    func wholeLog(_ run: String) throws -> [RunEvent] {
        let events = try LogReader(path: run + "/events.jsonl").readAll()
        #expect(events.enumerated().allSatisfy { $0.offset == $0.element.seq }, "seq unbroken")
        return events
    }

    @Test func killNineWhileSegmentsRotateAndCompressLosesNothing() throws {
        let root = newDirectory()
        let specPath = temporaryFile("s.yaml", spec)
        var p = try start(["run", specPath, "--runs-dir", root], dir: root)
        var run = try #require(waitForSegments(root: root, from: 0, more: 6))
        var previous: [RunEvent] = []
        // Kill at a different point of the rotate-compress cycle each time: after 6, then 11, 16 segments.
        for round in 0..<3 {
            if round > 0 {
                p = try start(["resume", run], dir: root)
                let from = newestSegment(run)
                run = try #require(waitForSegments(root: root, from: from, more: 5))
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let events = try wholeLog(run)
            #expect(events.count > previous.count)
            #expect(Array(events[..<previous.count]) == previous, "a resume keeps what was logged")
            if round > 0 {
                #expect(
                    events.contains {
                        if case .runContinued = $0.body { return true }
                        return false
                    })
            }
            previous = events
        }
        // A last resume, stopped gracefully, leaves no temporary file and the same prefix.
        p = try start(["resume", run], dir: root)
        _ = waitForSegments(root: root, from: newestSegment(run), more: 2)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        let names = try FileManager.default.contentsOfDirectory(atPath: run)
        #expect(!names.contains { $0.hasSuffix(".tmp") })
        #expect(names.contains { $0.hasSuffix(".jsonl.zst") })
        let events = try wholeLog(run)
        #expect(Array(events[..<previous.count]) == previous)
        guard case .runEnded(let reason) = events.last?.body else {
            Issue.record("the log does not end with run_ended")
            return
        }
        #expect(reason.description.contains("SIGINT"))
    }
}
