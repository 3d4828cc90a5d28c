import Foundation
import Testing

/// Issue 13, item 5: a headless run is never silent for long. A 60-second wall-clock run (a slow
/// objective whose steps sleep, so it costs little CPU) prints a progress line at least every 10 s.
@Suite struct HeadlessProgressTests {
    @Test func aSixtySecondRunPrintsProgressAtLeastEveryTenSeconds() throws {
        let spec = temporaryFile(
            "progress.yaml",
            """
            name: progress
            objective: {name: branin, cost: 0.5, sleep: true}
            scheduler: {variant: promotion, max_resource: 27}
            workers: 2
            budget: {seconds: 60}
            seed: 3
            """)
        let root = newDirectory()
        let r = try runAshbTop(["run", spec, "--headless", "--runs-dir", root])
        #expect(r.status == 0, "\(r.err)")
        // "[   10.02s] progress: trials 12 (...), 1.2 rep/s, workers 2/2 busy, budget 16% (time 0:10/1:00), ..."
        let lines = r.out.split(separator: "\n").filter { $0.contains("] progress: ") }
        let times = lines.compactMap { line -> Double? in
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
            return Double(line[line.index(after: open)..<close].trimmingCharacters(in: .whitespaces).dropLast())
        }
        #expect(times.count >= 5, "\(r.out)")
        var previous = 0.0
        for t in times {
            #expect(t - previous <= 11, "a gap of \(t - previous) s before the line at \(t) s")
            previous = t
        }
        #expect(60 - previous <= 11)
        #expect(lines.allSatisfy { $0.contains("rep/s") && $0.contains("workers ") && $0.contains("budget ") })
        #expect(lines.contains { $0.contains("ends in") })
        // A new best says where it was judged.
        #expect(r.out.contains("judged at the highest resource reached so far"))
        #expect(r.out.contains("Ended          time budget"))
    }
}
