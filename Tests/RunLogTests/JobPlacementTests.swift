import ASHA
import Testing

@testable import RunLog

@Suite("job_placed: where a cluster job runs")
struct JobPlacementTests {
    private func line(_ body: RunEvent.Body) -> String {
        var w = JSONWriter()
        EventCodec.encode(RunEvent(seq: 4, time: 1.5, body: body), into: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    private func decode(_ text: String) throws -> RunEvent {
        try EventCodec.decode(try JSONParser.parse(text))
    }

    @Test("A job and a step survive write and read, in the documented form")
    func roundTrips() throws {
        let job = JobPlacement(executor: "slurm", job: "70", node: "node7", queueSeconds: 0.25)
        let text = line(.jobPlaced(trial: 3, worker: 1, placement: job))
        #expect(
            text
                == #"{"seq":4,"t":1.5,"type":"job_placed","trial":3,"worker":1,"executor":"slurm","job":"70","step":null,"node":"node7","queued":0.25}"#
        )
        #expect(try decode(text).body == .jobPlaced(trial: 3, worker: 1, placement: job))
        let step = JobPlacement(executor: "slurm", job: "70", step: "3", node: "n", queueSeconds: 0)
        #expect(try decode(line(.jobPlaced(trial: 0, worker: 0, placement: step))).body.trial == 0)
        #expect(
            try decode(line(.jobPlaced(trial: 0, worker: 0, placement: step))).body
                == .jobPlaced(trial: 0, worker: 0, placement: step))
        #expect(step.target == "70.3" && job.target == "70")
        #expect(job.text == "Slurm job 70 on node7, 0.25 s in the queue")
        #expect(step.text == "Slurm step 70.3 on n, 0 s in the queue")
    }

    @Test(
        "Bad members are schema errors naming the member",
        arguments: [
            (#""job":"70""#, #""job":"""#, "'job'"),
            (#""job":"70""#, #""job":7"#, "'job'"),
            (#""node":"node7""#, #""node":"""#, "'node'"),
            (#""step":null"#, #""step":3"#, "'step'"),
            (#""queued":0.25"#, #""queued":-1"#, "'queued'"),
            (#""queued":0.25"#, #""queued":"NaN""#, "'queued'"),
            (#""worker":1"#, #""worker":"1""#, "'worker'"),
        ])
    func badMembers(good: String, bad: String, named: String) throws {
        let job = JobPlacement(executor: "slurm", job: "70", node: "node7", queueSeconds: 0.25)
        let text = line(.jobPlaced(trial: 3, worker: 1, placement: job)).replacingOccurrences(of: good, with: bad)
        #expect(text.contains(bad))
        let error = #expect(throws: SchemaError.self) { try decode(text) }
        #expect(error?.description.contains(named) == true, "\(String(describing: error))")
    }

    @Test("The state checks that the job runs on that worker; it changes nothing else")
    func fold() {
        let settings = SchedulerSettings()
        let info = RunInfo(
            name: "r", objective: "command", metric: "loss", goal: .minimize, settings: settings, ladders: [[1, 3, 9]],
            workers: 2, maxSeconds: nil, parameters: ["x"], executor: "slurm")
        let placement = JobPlacement(executor: "slurm", job: "70", node: "vm", queueSeconds: 1)
        var state = RunState()
        state.apply(RunEvent(seq: 0, time: 0, body: .runStarted(info)))
        state.apply(
            RunEvent(
                seq: 1, time: 0,
                body: .trialSampled(trial: 0, bracket: 0, config: Configuration([.init(name: "x", value: .double(1))])))
        )
        state.apply(
            RunEvent(seq: 2, time: 0, body: .jobStarted(trial: 0, worker: 1, rung: 0, fromResource: 0, toResource: 1)))
        let before = state
        #expect(
            state.apply(RunEvent(seq: 3, time: 0, body: .jobPlaced(trial: 0, worker: 1, placement: placement))) == nil)
        #expect(state.trials == before.trials && state.slots == before.slots)
        let wrong = state.apply(RunEvent(seq: 4, time: 0, body: .jobPlaced(trial: 0, worker: 0, placement: placement)))
        #expect(wrong?.message.contains("does not run it") == true, "\(String(describing: wrong))")
    }
}
