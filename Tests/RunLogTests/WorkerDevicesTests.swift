import ASHA
import Foundation
import Testing

@testable import RunLog

/// The devices of each worker slot travel in `run_started` (optional: a run without GPUs has none).
@Suite struct WorkerDevicesTests {
    private func info(_ devices: [[String]]?) -> RunInfo {
        RunInfo(
            name: "gpu", objective: "command", metric: "loss", goal: .minimize, settings: SchedulerSettings(),
            ladders: [[1, 3, 9]], workers: 2, maxSeconds: nil, parameters: ["x"], workerDevices: devices)
    }

    private func roundTrip(_ info: RunInfo) throws -> RunInfo? {
        let path = temporaryDirectory() + "/events.jsonl"
        let writer = try LogWriter(
            creating: path, header: LogHeader(program: "t", spec: "", seed: 1, simulated: false, baseDirectory: nil))
        writer.receive(RunEvent(seq: 0, time: 0, body: .runStarted(info)))
        writer.close()
        guard case .runStarted(let back)? = try LogReader(path: path).readAll().first?.body else { return nil }
        return back
    }

    @Test func devicesSurviveWriteAndRead() throws {
        let withDevices = info([["0", "1"], ["GPU-8d2c", "3"]])
        #expect(try roundTrip(withDevices) == withDevices)
        #expect(withDevices.devices(worker: 3) == "GPU-8d2c,3", "slot w takes group w % count")
        let without = info(nil)
        #expect(try roundTrip(without) == without)
        #expect(without.devices(worker: 0) == nil)
    }

    @Test func aForgedDeviceListIsRefusedNamingTheKey() throws {
        let path = temporaryDirectory() + "/events.jsonl"
        let writer = try LogWriter(
            creating: path, header: LogHeader(program: "t", spec: "", seed: 1, simulated: false, baseDirectory: nil))
        writer.receive(RunEvent(seq: 0, time: 0, body: .runStarted(info([["0"]]))))
        writer.close()
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"worker_devices\":[[\"0\"]]", with: "\"worker_devices\":[[7]]")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let message: String
        do {
            _ = try LogReader(path: path).readAll()
            message = ""
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("worker_devices"), "\(message)")
    }
}
