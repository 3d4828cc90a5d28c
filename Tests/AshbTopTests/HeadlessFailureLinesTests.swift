import ASHA
import Foundation
import RunLog
import Testing

@testable import AshbTop

/// A run whose trials all fail prints the first failures in full, then one line saying the rest are
/// counted, not printed (it printed one line per failure: 10,000 with `max_failures: 0`).
@Suite struct HeadlessFailureLinesTests {
    @Test func failuresPastTheLimitAreCountedNotPrinted() {
        let out = IdleHeadlessTests.Lines()
        let printer = HeadlessPrinter(write: {
            out.add($0)
            return true
        })
        let settings = SchedulerSettings(
            variant: .promotion, goal: .minimize, minResource: 1, maxResource: 9, reductionFactor: 3, maxTrials: 100)
        let info = RunInfo(
            name: "fails", objective: "toy", metric: "loss", goal: .minimize, settings: settings,
            ladders: [[1, 3, 9]], workers: 1, maxSeconds: nil, parameters: ["x"])
        var bodies: [RunEvent.Body] = [.runStarted(info)]
        let total = HeadlessPrinter.maxFailureLines + 30
        for t in 0..<total {
            bodies.append(
                .trialSampled(trial: t, bracket: 0, config: Configuration([.init(name: "x", value: .double(0.1))])))
            bodies.append(.trialFailed(trial: t, reason: "boom \(t)"))
        }
        bodies.append(.runEnded(reason: "too many failures"))
        for (i, body) in bodies.enumerated() { printer.receive(RunEvent(seq: i, time: Double(i), body: body)) }
        let lines = out.lines
        let failures = lines.filter { $0.contains(" failed: boom ") }
        #expect(failures.count == HeadlessPrinter.maxFailureLines)
        #expect(failures.last?.contains("trial \(HeadlessPrinter.maxFailureLines - 1) failed: boom") == true)
        let notice = lines.filter { $0.contains("further failures are not printed") }
        #expect(notice.count == 1)
        #expect(notice.first?.contains("trial \(HeadlessPrinter.maxFailureLines) failed;") == true)
        #expect(lines.last?.contains("run ended") == true)
    }
}
