import ASHA
import Foundation
import Testing

@testable import RunLog

/// The log's and the wire's bytes, pinned: old logs, resume and the goldens depend on them, so any change
/// to the writers must leave every line below byte for byte as it is. These are version 1's lines (and the
/// wire's, which has `seq` on each line); version 2's are pinned in `LogFormatV2Tests`.
@Suite struct LogFormatGoldenTests {
    /// Every event kind (with NaN, infinities, hostile strings, nil cutoffs), a run with every optional
    /// member of its description, and sampled events with and without their detail.
    func events() -> [RunEvent] {
        let tpe = TPESettings(
            randomFraction: 0.25, minPoints: nil, candidates: 32, gamma: 0.2, minGood: 4, bandwidthFactor: 2.5,
            minBandwidth: 0.01, maxKernels: 64, minDistance: 0.125)
        let settings = SchedulerSettings(
            variant: .promotion, goal: .minimize, minResource: 1, maxResource: 27, reductionFactor: 3,
            minEarlyStoppingRate: 0, brackets: 3, seed: 7, maxTrials: nil, maxTotalResource: 1000, sampler: .tpe(tpe))
        let full = RunInfo(
            name: "full", objective: "command", metric: "loss", goal: .minimize, settings: settings,
            ladders: [[1, 3, 9, 27], [3, 9, 27], [9, 27]], workers: 2, maxSeconds: nil, parameters: ["lr"],
            workerDevices: [["0", "1"], ["2"]], executor: "slurm:gpu")
        let config = Configuration([.init(name: "lr", value: .double(.infinity))])
        let extra: [RunEvent.Body] = [
            .runStarted(full),
            .trialSampled(
                trial: 1, bracket: 2, config: config,
                detail: SampleDetail(origin: .model(resource: 9, observations: 12), note: "follows c.csv:3")),
            .trialSampled(trial: 2, bracket: 0, config: config, detail: SampleDetail(origin: .random)),
            .trialSampled(trial: 3, bracket: 0, config: config, detail: SampleDetail(note: "n")),
            .decision(
                Decision(
                    trial: 1, bracket: 2, rung: 1, resource: 27, value: -0.5, cutoff: .nan, rank: 2, rungSize: 4,
                    action: .complete, reason: .topRung)),
            .runEnded(reason: .other("dashboard failed: \"x\"")),
        ]
        let base = everyKindOfEvent()
        return base + extra.enumerated().map { RunEvent(seq: base.count + $0.offset, time: 99.5, body: $0.element) }
    }

    func text(_ encode: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        encode(&w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func eventLinesAreByteForByteTheFormat() throws {
        let lines = events().map { e in text { EventCodec.encode(e, into: &$0) } }
        let expected = Self.expectedEvents.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == expected.count)
        for (got, want) in zip(lines, expected) { #expect(got == want) }
        for (line, event) in zip(lines, events()) {
            #expect(sameEvents([try EventCodec.decode(try JSONParser.parse(line))], [event]))
        }
    }

    @Test func headerAndCommandLinesAreByteForByteTheFormat() throws {
        let headers = [
            LogHeader(
                version: 1, program: "ashb-top 0.1.0", spec: "name: x\nspace:\n  lr: {low: 0, high: 1}\n", seed: 42),
            LogHeader(
                version: 1, program: "ashb-top 0.1.0", spec: "", seed: UInt64.max, simulated: true,
                baseDirectory: "/tmp/a \"b\""),
        ]
        let commands: [Command] = [
            .pauseTrial(3), .resumeTrial(4), .killTrial(0), .pauseRun, .resumeRun, .setWorkers(7),
            .stopRun(reason: "user quit"), .stopRun(reason: .other("because")),
        ]
        let lines =
            headers.map { String(decoding: $0.encoded(), as: UTF8.self) }
            + commands.map { c in text { CommandCodec.encode(c, into: &$0) } }
        let expected = Self.expectedOthers.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == expected.count)
        for (got, want) in zip(lines, expected) { #expect(got == want) }
        for (line, header) in zip(lines, headers) {
            #expect(try LogHeader.decode(try JSONParser.parse(line)) == header)
        }
        for (line, command) in zip(lines.dropFirst(headers.count), commands) {
            #expect(try CommandCodec.decode(try JSONParser.parse(line)) == command)
        }
    }

    static let expectedEvents = #"""
        {"seq":0,"t":1e-09,"type":"run_started","info":{"name":"evil\u001b[2J\"name\"\n","objective":"branin","metric":"value","goal":"maximize","settings":{"variant":"stopping","goal":"maximize","min_resource":2,"max_resource":100,"eta":4,"min_early_stopping_rate":1,"brackets":2,"seed":"18446744073709551615","max_trials":50,"max_total_resource":null},"ladders":[[8,32,100],[32,100]],"workers":3,"max_seconds":12.5,"parameters":["x1","x2"]}}
        {"seq":1,"t":0.125000001,"type":"sampled","trial":0,"bracket":1,"config":{"lr":0.001,"units":64,"opt":"sgd","nesterov":true,"whole":3.0}}
        {"seq":2,"t":0.250000001,"type":"job_started","trial":0,"worker":2,"rung":0,"from":0,"to":8}
        {"seq":3,"t":0.375000001,"type":"metric","trial":0,"resource":1,"value":"NaN"}
        {"seq":4,"t":0.500000001,"type":"metric","trial":0,"resource":2,"value":"-Infinity"}
        {"seq":5,"t":0.625000001,"type":"metric","trial":0,"resource":3,"value":0.30000000000000004}
        {"seq":6,"t":0.750000001,"type":"decision","trial":0,"bracket":1,"rung":0,"resource":8,"value":0.25,"cutoff":null,"rank":1,"n":1,"action":"continue","reason":"tooFewEntries"}
        {"seq":7,"t":0.875000001,"type":"decision","trial":0,"bracket":1,"rung":1,"resource":32,"value":0.5,"cutoff":0.75,"rank":3,"n":9,"action":"stop","reason":"worseThanCutoff"}
        {"seq":8,"t":1.000000001,"type":"job_ended","trial":0,"worker":2}
        {"seq":9,"t":1.125000001,"type":"paused","trial":0,"by":"user"}
        {"seq":10,"t":1.250000001,"type":"resumed","trial":0,"by":"tuner"}
        {"seq":11,"t":1.375000001,"type":"killed","trial":0}
        {"seq":12,"t":1.500000001,"type":"completed","trial":0,"resource":100,"value":1e-300}
        {"seq":13,"t":1.625000001,"type":"failed","trial":1,"reason":"metric was NaN at resource 3\twith a tab"}
        {"seq":14,"t":1.750000001,"type":"best","trial":0,"resource":100,"value":42.0}
        {"seq":15,"t":1.875000001,"type":"run_paused","by":"user"}
        {"seq":16,"t":2.000000001,"type":"run_resumed","by":"user"}
        {"seq":17,"t":2.125000001,"type":"workers","count":5,"by":"user"}
        {"seq":18,"t":2.250000001,"type":"message","trial":3,"text":"checkpoint missing; training again from zero"}
        {"seq":19,"t":2.375000001,"type":"message","trial":null,"text":"note"}
        {"seq":20,"t":2.500000001,"type":"run_continued","events":1234}
        {"seq":21,"t":2.625000001,"type":"run_ended","reason":"user quit"}
        {"seq":22,"t":99.5,"type":"run_started","info":{"name":"full","objective":"command","metric":"loss","goal":"minimize","settings":{"variant":"promotion","goal":"minimize","min_resource":1,"max_resource":27,"eta":3,"min_early_stopping_rate":0,"brackets":3,"seed":"7","max_trials":null,"max_total_resource":1000,"sampler":{"type":"tpe","random_fraction":0.25,"min_points":null,"candidates":32,"gamma":0.2,"min_good":4,"bandwidth_factor":2.5,"min_bandwidth":0.01,"max_kernels":64,"min_distance":0.125,"avoid_duplicates":true,"split":"level","revisit":true,"exhausted":"rescue"}},"ladders":[[1,3,9,27],[3,9,27],[9,27]],"workers":2,"max_seconds":null,"parameters":["lr"],"executor":"slurm:gpu","worker_devices":[["0","1"],["2"]]}}
        {"seq":23,"t":99.5,"type":"sampled","trial":1,"bracket":2,"config":{"lr":"Infinity"},"origin":"model","model_resource":9,"model_n":12,"note":"follows c.csv:3"}
        {"seq":24,"t":99.5,"type":"sampled","trial":2,"bracket":0,"config":{"lr":"Infinity"},"origin":"random"}
        {"seq":25,"t":99.5,"type":"sampled","trial":3,"bracket":0,"config":{"lr":"Infinity"},"note":"n"}
        {"seq":26,"t":99.5,"type":"decision","trial":1,"bracket":2,"rung":1,"resource":27,"value":-0.5,"cutoff":"NaN","rank":2,"n":4,"action":"complete","reason":"topRung"}
        {"seq":27,"t":99.5,"type":"run_ended","reason":"dashboard failed: \"x\""}
        """#

    static let expectedOthers = #"""
        {"ashb_log":1,"program":"ashb-top 0.1.0","seed":"42","clock":"wall","base_directory":null,"spec":"name: x\nspace:\n  lr: {low: 0, high: 1}\n"}
        {"ashb_log":1,"program":"ashb-top 0.1.0","seed":"18446744073709551615","clock":"simulated","base_directory":"/tmp/a \"b\"","spec":""}
        {"command":"pause_trial","trial":3}
        {"command":"resume_trial","trial":4}
        {"command":"kill_trial","trial":0}
        {"command":"pause_run"}
        {"command":"resume_run"}
        {"command":"set_workers","count":7}
        {"command":"stop_run","reason":"user quit"}
        {"command":"stop_run","reason":"because"}
        """#
}
