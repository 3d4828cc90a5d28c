import ASHA
import Foundation
import Testing

@testable import RunLog

/// One event of every kind, with awkward values (NaN, infinities, hostile strings, nil cutoffs).
func everyKindOfEvent() -> [RunEvent] {
    let settings = SchedulerSettings(
        variant: .stopping, goal: .maximize, minResource: 2, maxResource: 100, reductionFactor: 4,
        minEarlyStoppingRate: 1, brackets: 2, seed: UInt64.max, maxTrials: 50, maxTotalResource: nil)
    let info = RunInfo(
        name: "evil\u{1b}[2J\"name\"\n", objective: "branin", metric: "value", goal: .maximize, settings: settings,
        ladders: [[8, 32, 100], [32, 100]], workers: 3, maxSeconds: 12.5, parameters: ["x1", "x2"])
    let config = Configuration([
        .init(name: "lr", value: .double(0.001)), .init(name: "units", value: .int(64)),
        .init(name: "opt", value: .string("sgd")), .init(name: "nesterov", value: .bool(true)),
        .init(name: "whole", value: .double(3.0)),
    ])
    let bodies: [RunEvent.Body] = [
        .runStarted(info),
        .trialSampled(trial: 0, bracket: 1, config: config),
        .jobStarted(trial: 0, worker: 2, rung: 0, fromResource: 0, toResource: 8),
        .metric(trial: 0, resource: 1, value: .nan),
        .metric(trial: 0, resource: 2, value: -.infinity),
        .metric(trial: 0, resource: 3, value: 0.1 + 0.2),
        .decision(
            Decision(
                trial: 0, bracket: 1, rung: 0, resource: 8, value: 0.25, cutoff: nil, rank: 1, rungSize: 1,
                action: .continue, reason: .tooFewEntries)),
        .decision(
            Decision(
                trial: 0, bracket: 1, rung: 1, resource: 32, value: 0.5, cutoff: 0.75, rank: 3, rungSize: 9,
                action: .stop, reason: .worseThanCutoff)),
        .jobEnded(trial: 0, worker: 2),
        .trialPaused(trial: 0, by: .user),
        .trialResumed(trial: 0, by: .tuner),
        .trialKilled(trial: 0),
        .trialCompleted(trial: 0, resource: 100, value: 1e-300),
        .trialFailed(trial: 1, reason: "metric was NaN at resource 3\twith a tab"),
        .newBest(trial: 0, resource: 100, value: 42),
        .runPaused(by: .user),
        .runResumed(by: .user),
        .workersChanged(count: 5, by: .user),
        .message(trial: 3, text: "checkpoint missing; training again from zero"),
        .message(trial: nil, text: "note"),
        .runContinued(events: 1234),
        .runEnded(reason: "user quit"),
    ]
    return bodies.enumerated().map {
        RunEvent(seq: $0.offset, time: Double($0.offset) * 0.125 + 1e-9, body: $0.element)
    }
}

/// Compares events field by field, treating NaN as equal to NaN.
func sameEvents(_ a: [RunEvent], _ b: [RunEvent]) -> Bool {
    guard a.count == b.count else { return false }
    var wa = JSONWriter()
    var wb = JSONWriter()
    for (x, y) in zip(a, b) {
        wa.reset()
        wb.reset()
        EventCodec.encode(x, into: &wa)
        EventCodec.encode(y, into: &wb)
        if wa.bytes != wb.bytes { return false }
    }
    return true
}

func temporaryDirectory() -> String {
    let dir = NSTemporaryDirectory() + "ashb-runlog-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct LogRoundTripTests {
    @Test func everyEventKindSurvivesWriteAndRead() throws {
        let path = temporaryDirectory() + "/events.jsonl"
        let header = LogHeader(
            program: "ashb-top test", spec: "objective: branin\n", seed: 7, simulated: true,
            baseDirectory: "/data/specs")
        let writer = try LogWriter(creating: path, header: header)
        let events = everyKindOfEvent()
        for e in events { writer.receive(e) }
        writer.close()

        let reader = try LogReader(path: path)
        #expect(reader.header == header)
        let back = try reader.readAll()
        #expect(back.count == events.count)
        #expect(sameEvents(back, events))
        #expect(reader.warnings.isEmpty)
        // Decoded values, not just bytes: a NaN stays NaN, a double that looks whole stays a double.
        if case .metric(_, _, let v) = back[3].body { #expect(v.isNaN) } else { Issue.record("event 3 not a metric") }
        if case .trialSampled(_, _, let c, _) = back[1].body {
            #expect(c["whole"] == .double(3.0))
            #expect(c["units"] == .int(64))
            #expect(c["nesterov"] == .bool(true))
        } else {
            Issue.record("event 1 not a sample")
        }
        if case .runStarted(let info) = back[0].body {
            #expect(info.name == "evil\u{1b}[2J\"name\"\n")
            #expect(info.settings.seed == UInt64.max)
        } else {
            Issue.record("event 0 not a run start")
        }
    }

    @Test func linesAreOneObjectEach() throws {
        let path = temporaryDirectory() + "/events.jsonl"
        let writer = try LogWriter(creating: path, header: LogHeader(program: "t", spec: "", seed: 0))
        for e in everyKindOfEvent() { writer.receive(e) }
        writer.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == everyKindOfEvent().count + 2)  // header, events, empty after the last newline
        #expect(lines.last == "")
        // Version 2: no `seq` (the event's number is its place), `t` to the microsecond.
        #expect(lines[1].hasPrefix(#"{"t":0.0,"type":"run_started""#))
    }

    @Test func refusesToOverwriteAnExistingLog() throws {
        let path = temporaryDirectory() + "/events.jsonl"
        _ = try LogWriter(creating: path, header: LogHeader(program: "t", spec: "", seed: 0))
        #expect(throws: LogError.self) {
            try LogWriter(creating: path, header: LogHeader(program: "t", spec: "", seed: 0))
        }
    }
}
