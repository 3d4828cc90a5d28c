import ASHA
import Testing

@testable import RunLog

@Suite("The run's executor in run_started")
struct ExecutorInfoTests {
    private func info(_ executor: String?) -> RunInfo {
        RunInfo(
            name: "r", objective: "command", metric: "loss", goal: .minimize, settings: SchedulerSettings(),
            ladders: [[1, 3, 9]], workers: 2, maxSeconds: nil, parameters: ["x"], executor: executor)
    }

    private func roundTrip(_ info: RunInfo) throws -> RunInfo? {
        var w = JSONWriter()
        EventCodec.encode(RunEvent(seq: 0, time: 0, body: .runStarted(info)), into: &w)
        let event = try EventCodec.decode(try JSONParser.parse(String(decoding: w.bytes, as: UTF8.self)))
        guard case .runStarted(let back) = event.body else { return nil }
        return back
    }

    @Test("It survives write and read; a local run's description has none")
    func roundTrips() throws {
        #expect(try roundTrip(info("slurm:gpu"))?.executor == "slurm:gpu")
        #expect(try roundTrip(info(nil))?.executor == nil)
        var w = JSONWriter()
        EventCodec.encode(RunEvent(seq: 0, time: 0, body: .runStarted(info(nil))), into: &w)
        #expect(!String(decoding: w.bytes, as: UTF8.self).contains("executor"))
    }

    @Test("A bad executor in a log is a schema error naming it")
    func badValue() throws {
        var w = JSONWriter()
        EventCodec.encode(RunEvent(seq: 0, time: 0, body: .runStarted(info("slurm"))), into: &w)
        let text = String(decoding: w.bytes, as: UTF8.self).replacingOccurrences(
            of: "\"executor\":\"slurm\"", with: "\"executor\":7")
        let error = #expect(throws: SchemaError.self) { try EventCodec.decode(try JSONParser.parse(text)) }
        #expect(error?.description.contains("'executor'") == true, "\(String(describing: error))")
    }
}
