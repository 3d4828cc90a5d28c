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
}
