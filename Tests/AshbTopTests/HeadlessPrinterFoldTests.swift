import ASHA
import RunFixtures
import RunLog
import Testing

@testable import AshbTop

/// The headless printer reads the tuner's fold when the tuner lends it (`receive(_:folded:)`) instead
/// of folding every event a second time; it must print and count exactly what its own fold gives.
@Suite struct HeadlessPrinterFoldTests {
    @Test(arguments: [Variant.promotion, .stopping])
    func lentFoldPrintsWhatTheOwnFoldPrints(variant: Variant) {
        // A recorded run with failures, a kill, a worker added, new bests and every rung reached.
        let events = RecordedRun.events(count: 150, finish: true, variant: variant)
        let ownLines = IdleHeadlessTests.Lines()
        let lentLines = IdleHeadlessTests.Lines()
        let own = HeadlessPrinter(write: {
            ownLines.add($0)
            return true
        })
        let lent = HeadlessPrinter(write: {
            lentLines.add($0)
            return true
        })
        var state = RunState()
        var differences = 0
        for event in events {
            own.receive(event)
            state.apply(event)
            lent.receive(event, folded: state)
            // What a progress line would read between this event and the next, taken incrementally,
            // against the same numbers taken from the whole state.
            if lent.snapshot != HeadlessPrinter.Snapshot(state) || own.snapshot != lent.snapshot { differences += 1 }
        }
        #expect(differences == 0)
        #expect(ownLines.lines == lentLines.lines)
        #expect(ownLines.lines.contains { $0.contains("new best: trial") })
        #expect(ownLines.lines.contains { $0.contains("killed by the user") })
        #expect(ownLines.lines.last?.contains("run ended") == true)
        #expect(
            HeadlessPrinter.progressText(lent.snapshot, now: state.time, rate: 1)
                == HeadlessPrinter.progressText(state, now: state.time, rate: 1))
        #expect(lent.snapshot.trials == 150 && lent.snapshot.ended)
    }
}
