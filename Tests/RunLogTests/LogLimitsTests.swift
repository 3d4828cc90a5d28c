import ASHA
import Foundation
import Testing

@testable import RunLog

/// Numbers read from a log are checked against the limits a spec has (issue 10, item 6).
@Suite struct LogLimitsTests {
    /// A log: its header, a run_started with `workers` and ladder [1, 3, 9], then `lines`.
    static func log(workers: Int = 2, _ lines: [String]) -> String {
        let header =
            "{\"ashb_log\":1,\"program\":\"t\",\"seed\":\"1\",\"clock\":\"wall\",\"base_directory\":null,\"spec\":\"x\"}"
        let started =
            "{\"seq\":0,\"t\":0,\"type\":\"run_started\",\"info\":{\"name\":\"n\",\"objective\":\"branin\","
            + "\"metric\":\"value\",\"goal\":\"minimize\",\"settings\":{\"variant\":\"promotion\",\"goal\":\"minimize\","
            + "\"min_resource\":1,\"max_resource\":9,\"eta\":3,\"min_early_stopping_rate\":0,\"brackets\":1,"
            + "\"seed\":\"1\",\"max_trials\":null,\"max_total_resource\":null},\"ladders\":[[1,3,9]],"
            + "\"workers\":\(workers),\"max_seconds\":null,\"parameters\":[\"x\"]}}"
        return ([header, started] + lines).joined(separator: "\n") + "\n"
    }

    static let sampled0 =
        "{\"seq\":1,\"t\":0,\"type\":\"sampled\",\"trial\":0,\"bracket\":0,\"config\":{\"x\":1.0}}"

    /// Reads `text` with the limits of a spec whose top rung is 9; returns the error.
    static func error(_ text: String) -> LogError? {
        let path = NSTemporaryDirectory() + "limits-\(UUID().uuidString).jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { unlink(path) }
        do {
            let reader = try LogReader(path: path)
            reader.limits = LogLimits(maxResource: 9, brackets: 1, strict: true)
            _ = try reader.readAll()
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidLogPasses() {
        let ok = Self.log([
            Self.sampled0,
            "{\"seq\":2,\"t\":0,\"type\":\"job_started\",\"trial\":0,\"worker\":1,\"rung\":0,\"from\":0,\"to\":1}",
            "{\"seq\":3,\"t\":1,\"type\":\"metric\",\"trial\":0,\"resource\":1,\"value\":0.5}",
            "{\"seq\":4,\"t\":1,\"type\":\"workers\",\"count\":512,\"by\":\"user\"}",
        ])
        #expect(Self.error(ok) == nil)
    }

    @Test(arguments: [
        // The forged events of the issue.
        ("{\"seq\":1,\"t\":0,\"type\":\"workers\",\"count\":100000000,\"by\":\"user\"}", 3, "workers"),
        (
            "{\"seq\":2,\"t\":0,\"type\":\"job_started\",\"trial\":0,\"worker\":100000000,\"rung\":0,\"from\":0,\"to\":1}",
            4, "worker"
        ),
        // Trial ids must be dense, and name a sampled trial.
        ("{\"seq\":2,\"t\":0,\"type\":\"sampled\",\"trial\":7,\"bracket\":0,\"config\":{\"x\":1.0}}", 4, "trial 7"),
        ("{\"seq\":2,\"t\":0,\"type\":\"metric\",\"trial\":3,\"resource\":1,\"value\":0.5}", 4, "trial 3"),
        // Resources within the ladder, rungs and brackets that exist.
        ("{\"seq\":2,\"t\":0,\"type\":\"metric\",\"trial\":0,\"resource\":1000000,\"value\":0.5}", 4, "resource"),
        (
            "{\"seq\":2,\"t\":0,\"type\":\"job_started\",\"trial\":0,\"worker\":0,\"rung\":9,\"from\":0,\"to\":1}", 4,
            "rung"
        ),
        ("{\"seq\":2,\"t\":0,\"type\":\"sampled\",\"trial\":1,\"bracket\":5,\"config\":{\"x\":1.0}}", 4, "bracket"),
        ("{\"seq\":2,\"t\":0,\"type\":\"completed\",\"trial\":0,\"resource\":-4,\"value\":0.5}", 4, "resource"),
        // Sequence numbers go up; times are finite and not negative.
        ("{\"seq\":1,\"t\":0,\"type\":\"run_paused\",\"by\":\"user\"}", 4, "seq"),
        ("{\"seq\":2,\"t\":-5,\"type\":\"run_paused\",\"by\":\"user\"}", 4, "time"),
    ])
    func forgedNumbersAreRefusedNamingTheLine(line: String, number: Int, word: String) {
        let text = Self.log(number == 3 ? [line] : [Self.sampled0, line])
        let e = Self.error(text)
        #expect(e?.line == number, "\(String(describing: e))")
        #expect(e?.message.contains(word) == true, "\(String(describing: e))")
    }

    @Test func anyReaderRefusesWorkerNumbersBeyondTheLimit() throws {
        let path = NSTemporaryDirectory() + "limits-\(UUID().uuidString).jsonl"
        let text = Self.log([
            "{\"seq\":1,\"t\":0,\"type\":\"workers\",\"count\":100000000,\"by\":\"user\"}"
        ])
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { unlink(path) }
        let reader = try LogReader(path: path)  // default limits: replay, export
        let e = #expect(throws: LogError.self) { _ = try reader.readAll() }
        #expect(e?.line == 3)
    }

    @Test func aForgedRunStartIsRefused() {
        let e = Self.error(Self.log(workers: 100_000_000, []))
        #expect(e?.line == 2)
        #expect(e?.message.contains("workers") == true)
    }
}
