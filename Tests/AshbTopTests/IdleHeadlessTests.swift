import ASHA
import Foundation
import RunLog
import Testing

@testable import AshbTop

/// A headless run whose remaining trials are all paused (from an attached dashboard) says once that it
/// is idle, why, and what ends the wait; its progress lines say so too.
@Suite struct IdleHeadlessTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []
        func add(_ s: String) {
            lock.lock()
            all.append(s)
            lock.unlock()
        }
        var lines: [String] {
            lock.lock()
            defer { lock.unlock() }
            return all
        }
    }

    static func events(maxSeconds: Double?) -> [RunEvent] {
        let settings = SchedulerSettings(
            variant: .promotion, goal: .minimize, minResource: 1, maxResource: 9, reductionFactor: 3, maxTrials: 2)
        let info = RunInfo(
            name: "idle", objective: "toy", metric: "loss", goal: .minimize, settings: settings, ladders: [[1, 3, 9]],
            workers: 2, maxSeconds: maxSeconds, parameters: ["x"])
        let bodies: [RunEvent.Body] = [
            .runStarted(info),
            .trialSampled(trial: 0, bracket: 0, config: Configuration([.init(name: "x", value: .double(0.1))])),
            .trialSampled(trial: 1, bracket: 0, config: Configuration([.init(name: "x", value: .double(0.2))])),
            .jobStarted(trial: 0, worker: 0, rung: 0, fromResource: 0, toResource: 1),
            .jobStarted(trial: 1, worker: 1, rung: 0, fromResource: 0, toResource: 1),
            .trialPaused(trial: 0, by: .user), .jobEnded(trial: 0, worker: 0),
            .trialPaused(trial: 1, by: .user), .jobEnded(trial: 1, worker: 1),
        ]
        return bodies.enumerated().map { RunEvent(seq: $0.offset, time: Double($0.offset), body: $0.element) }
    }

    @Test func theIdleLineNamesThePausedTrialsAndWhatEndsTheWait() {
        let state = RunState(events: Self.events(maxSeconds: 180))
        #expect(state.waitsOnPausedTrials)
        #expect(
            HeadlessPrinter.idleText(state, now: 20)
                == "idle: every remaining trial is paused by the user (2: 0, 1); nothing runs until one is resumed "
                + "(`ashb-top attach`, then p on it), the run is stopped, or its time budget ends in 2:40")
        let unbounded = RunState(events: Self.events(maxSeconds: nil))
        #expect(
            HeadlessPrinter.idleText(unbounded, now: 20).hasSuffix(
                "or the run is stopped (it has no time budget: it waits until then)"))
        #expect(
            HeadlessPrinter.progressText(state, now: 20, rate: 0).hasSuffix("IDLE: every remaining trial is paused"))
        #expect(
            !HeadlessPrinter.progressText(state, now: 8.5, rate: 0).contains("IDLE"),
            "not within a second of the last event")
    }

    @Test func thePrinterSaysItOnceAfterAQuietSecond() throws {
        let out = Lines()
        let printer = HeadlessPrinter(write: {
            out.add($0)
            return true
        })
        for e in Self.events(maxSeconds: 180) { printer.receive(e) }
        printer.startProgress(every: 0)
        defer { printer.stopProgress() }
        let deadline = Date().addingTimeInterval(10)
        while !out.lines.contains(where: { $0.contains("] idle: ") }), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(out.lines.filter { $0.contains("] idle: ") }.count == 1, "\(out.lines)")
        #expect(out.lines.contains { $0.contains("trial 1 paused by the user") })
        // Said once per wait: a second more of quiet adds nothing; a resume, then the same wait, says it again.
        Thread.sleep(forTimeInterval: 1.2)
        #expect(out.lines.filter { $0.contains("] idle: ") }.count == 1)
        printer.receive(RunEvent(seq: 9, time: 9, body: .trialResumed(trial: 0, by: .user)))
        #expect(out.lines.last?.contains("trial 0 resumed by the user") == true)
        printer.receive(RunEvent(seq: 10, time: 10, body: .trialPaused(trial: 0, by: .user)))
        let again = Date().addingTimeInterval(10)
        while out.lines.filter({ $0.contains("] idle: ") }).count < 2, Date() < again {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(out.lines.filter { $0.contains("] idle: ") }.count == 2)
    }
}
