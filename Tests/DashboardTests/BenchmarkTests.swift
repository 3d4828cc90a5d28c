import Dashboard
import Foundation
import Testing

@Suite("Render benchmark")
struct BenchmarkTests {
    @Test func smallRunReportsItsFigures() {
        let r = RenderBenchmark.run(trials: 2000, width: 200, height: 60, frames: 5)
        #expect(r.trials == 2000)
        #expect(r.frames == 5)
        #expect(r.line.hasPrefix("bench=render trials=2000 width=200 height=60 frames=5 seconds="))
        #expect(r.line.contains(" ms_per_frame="))
    }

    /// The full benchmark (100,000 trials); run with ASHB_BENCH=1, ideally in a release build.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ASHB_BENCH"] == "1"))
    func fullBenchmark() {
        let r = RenderBenchmark.run()
        print(r.line)
        print(
            String(
                format: "fold=%.3fs events=%d full_sort=%.2fms resync=%.3fms live_frame=%.3fms", r.foldSeconds,
                r.events, r.fullSortSeconds * 1000, r.resyncSeconds * 1000, r.liveFrameSeconds * 1000))
        #expect(r.trials == 100_000)
    }
}
