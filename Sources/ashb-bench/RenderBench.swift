import Dashboard

/// `ashb-bench render [--ascii]`: milliseconds to render a 200×60 frame from a 100,000-trial model.
struct RenderBench: Benchmark {
    var ascii = false

    init(arguments: [String]) throws {
        for a in arguments {
            guard a == "--ascii" else { throw BenchUsageError(description: "unknown option \(a); use --ascii") }
            ascii = true
        }
    }

    func run() {
        let r = RenderBenchmark.run(ascii: ascii)
        print("render: \(r.trials) trials, \(r.width)x\(r.height), \(ascii ? "ASCII" : "UTF-8")")
        print("  fold \(r.events) events     \(ms(r.foldSeconds)) ms")
        print("  full sort of the trials list \(ms(r.fullSortSeconds)) ms")
        print("  re-sync after one event      \(ms(r.resyncSeconds)) ms")
        print("  one frame                    \(ms(r.msPerFrame / 1000)) ms")
        print("  one live frame (20 reports)  \(ms(r.liveFrameSeconds)) ms")
        print(
            "  typing the filter '\(r.filterText)': per key mean \(ms(r.filterKeyMeanSeconds)) ms, max \(ms(r.filterKeyMaxSeconds)) ms"
        )
        print(r.line)
        print(
            "bench=render_filter_key trials=\(r.trials) mean_ms=\(ms(r.filterKeyMeanSeconds)) max_ms=\(ms(r.filterKeyMaxSeconds))"
        )
    }

    private func ms(_ seconds: Double) -> String {
        let v = seconds * 1000
        return String(Double(Int(v * 1000)) / 1000)
    }
}
