import ASHA
import Dashboard
import Foundation
import Objectives
import RunLog
import Tuner

/// `ashb-bench replay`: what `ashb-top replay` does with a long log, without the terminal.
///
/// The log (`--events`, default 1,000,000 events) is written by a child process (`--generate-only`):
/// promotion-based asynchronous Hyperband on `branin` on the simulated clock, cut to exactly that many
/// events, so this process's peak memory is the replay's alone. Then, timed from opening the file: the
/// first frame (open the log, read the first batch the command reads before the screen is up, fold it,
/// render a 120x40 frame at time 0), the whole log read into the timeline in the batches the replay loop
/// reads (events folded and snapshots taken on the way), then `--seeks` seeks to seeded random positions
/// and by ±10 s, each timed to a rendered frame; then two word filters typed at the end of the log (each key
/// timed to its frame) and far seeks with them on. Memory is the process's peak resident set (`VmHWM`).
struct ReplayBench: OptionsBenchmark {
    var events = 1_000_000
    var seeks = 200
    var log: String?
    var generateOnly: String?

    static var options: [String: BenchOption<Self>] {
        [
            "--events": .count(\.events), "--seeks": .count(\.seeks), "--log": .optionalText(\.log),
            "--generate-only": .optionalText(\.generateOnly),
        ]
    }

    func run() throws {
        if let path = generateOnly { return try Self.generate(events: events, to: path) }
        var path = log
        var generated = false
        if path == nil {
            let target = temporaryLogPath("replay")
            let t0 = monotonicSeconds()
            let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let child = Process()
            child.executableURL = me
            child.arguments = ["replay", "--events", "\(events)", "--generate-only", target]
            try child.run()
            child.waitUntilExit()
            guard child.terminationStatus == 0 else { throw BenchUsageError(description: "generating the log failed") }
            print(
                "generated \(events) events (\(fixed(Double(fileSize(target)) / 1_048_576, 1)) MiB) in "
                    + "\(fixed(monotonicSeconds() - t0, 1)) s: \(target)")
            path = target
            generated = true
        }
        defer { if generated, let path { unlink(path) } }
        try measure(path!)
    }

    /// Writes a simulated run's log to `path`, cut after `events` events.
    static func generate(events: Int, to path: String) throws {
        let objective = try ObjectiveCatalog.make(
            name: "branin", options: ["cost": .double(0.5), "noise": .double(0.01), "max_resource": .int(81)])
        // About 15 events a trial with 4 brackets, η = 3, R = 81: sample enough trials, then cut.
        let settings = SchedulerSettings(
            variant: .promotion, minResource: 1, maxResource: 81, reductionFactor: 3, brackets: 4, seed: 7,
            maxTrials: events / 14 + 100)
        let full = path + ".full"
        let writer = try LogWriter(
            creating: full, header: LogHeader(program: "ashb-bench", spec: "bench: replay", seed: 7))
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(name: "replay-bench", workers: 8), backend: .simulated, sinks: [writer])
        _ = tuner.run()
        writer.close()
        defer { unlink(full) }
        // The header and the first `events` event lines.
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        var lines = 0
        var end = data.count
        for (i, byte) in data.enumerated() where byte == 0x0A {
            lines += 1
            if lines == events + 1 {
                end = i + 1
                break
            }
        }
        guard lines >= events + 1 else {
            throw BenchUsageError(description: "the run wrote only \(lines - 1) events; fewer than \(events)")
        }
        try data.prefix(end).write(to: URL(fileURLWithPath: path))
    }

    func measure(_ path: String) throws {
        let size = Size(width: 120, height: 40)
        let t0 = monotonicSeconds()
        let reader = try LogReader(path: path)
        // As `ashb-top replay`: the log is indexed while it is read, and the timeline reads windows of it.
        let index = LogIndex(path: path, interval: 4096)
        let timeline = ReplayTimeline(source: index, blockSize: index.interval)
        var batch: [RunEvent] = []
        while batch.count < 4096, let e = try index.next(from: reader) { batch.append(e) }
        timeline.append(contentsOf: batch)
        var player = ReplayPlayer(timeline: timeline, playing: false)
        player.seek(to: timeline.position(atTime: 0), timeline: timeline, clock: 0)
        var ui = UIState(keyMap: .replay, readOnly: true)
        ui.screen = size
        ui.replay = player.status(timeline, complete: false)
        ui.sync(with: player.model)
        var checksum = render(model: player.model, ui: ui, size: size).cells.count
        let firstFrame = monotonicSeconds() - t0
        // The rest, in the batches the replay loop reads.
        var n = timeline.count
        while true {
            batch.removeAll(keepingCapacity: true)
            while batch.count < 16_384, let e = try index.next(from: reader) { batch.append(e) }
            if batch.isEmpty { break }
            timeline.append(contentsOf: batch)
            n += batch.count
        }
        let indexed = monotonicSeconds() - t0
        let afterRead = residentMemory()
        // Seeks: random positions (seeded), then ±10 s steps from the middle.
        var rng = SplitMix64(seed: 42)
        var random: [Double] = []
        // Each random seek's parts: the model (snapshot restored and folded), the trials list, the frame.
        var parts: [(model: Double, list: Double, frame: Double, blocks: Int)] = []
        for _ in 0..<seeks {
            let target = Int(rng.next() % UInt64(timeline.count + 1))
            let blocks = timeline.blocksRead
            let s0 = monotonicSeconds()
            player.seek(to: target, timeline: timeline)
            let s1 = monotonicSeconds()
            ui.replay = player.status(timeline, complete: true)
            ui.sync(with: player.model)
            let s2 = monotonicSeconds()
            checksum &+= render(model: player.model, ui: ui, size: size).cells.count
            let s3 = monotonicSeconds()
            random.append((s3 - s0) * 1000)
            parts.append(((s1 - s0) * 1000, (s2 - s1) * 1000, (s3 - s2) * 1000, timeline.blocksRead - blocks))
        }
        let slowest = parts.indices.sorted { random[$0] > random[$1] }.prefix(3).map { i in
            "\(fixed(parts[i].model, 1))+\(fixed(parts[i].list, 1))+\(fixed(parts[i].frame, 1)) ms "
                + "(\(parts[i].blocks) blocks read)"
        }
        // The farthest seeks: from 5% of the log to 95% and back, three times (the list re-sorts most trials).
        var far: [(model: Double, list: Double)] = []
        for k in 0..<6 {
            let target = k % 2 == 0 ? timeline.count / 20 : timeline.count - timeline.count / 20
            let s0 = monotonicSeconds()
            player.seek(to: target, timeline: timeline)
            let s1 = monotonicSeconds()
            ui.replay = player.status(timeline, complete: true)
            ui.sync(with: player.model)
            far.append(((s1 - s0) * 1000, (monotonicSeconds() - s1) * 1000))
        }
        let farText = far.dropFirst().map { "\(fixed($0.model, 0))+\(fixed($0.list, 0))" }.joined(separator: ", ")
        player.seek(to: timeline.count / 2, timeline: timeline)
        var relative: [Double] = []
        for i in 0..<seeks {
            let s0 = monotonicSeconds()
            _ = player.perform(.seek(seconds: i % 2 == 0 ? -10 : 10), timeline: timeline, trial: nil, complete: true)
            ui.replay = player.status(timeline, complete: true)
            ui.sync(with: player.model)
            checksum &+= render(model: player.model, ui: ui, size: size).cells.count
            relative.append((monotonicSeconds() - s0) * 1000)
        }
        // Word filters typed at the end of the log (every trial sampled): each key handled, the list synced
        // and a frame drawn, as the dashboard answers it; then far seeks with the filter on.
        player.seek(to: timeline.count, timeline: timeline)
        ui.sync(with: player.model)
        var wordKeys: [Double] = []
        var firstKeys: [Double] = []
        var wordSeeks: [Double] = []
        var matched: [Int] = []
        for text in ["14.95", "0.37"] {
            _ = ui.handle(.char("/"), model: player.model)
            for (i, c) in text.enumerated() {
                let k0 = monotonicSeconds()
                _ = ui.handle(.char(c), model: player.model)
                ui.sync(with: player.model)
                checksum &+= render(model: player.model, ui: ui, size: size).cells.count
                wordKeys.append((monotonicSeconds() - k0) * 1000)
                if i == 0 { firstKeys.append(wordKeys.last!) }
            }
            _ = ui.handle(.enter, model: player.model)
            matched.append(ui.table.count)
            for k in 0..<4 {
                let s0 = monotonicSeconds()
                player.seek(to: k % 2 == 0 ? timeline.count / 20 : timeline.count, timeline: timeline)
                ui.replay = player.status(timeline, complete: true)
                ui.sync(with: player.model)
                checksum &+= render(model: player.model, ui: ui, size: size).cells.count
                wordSeeks.append((monotonicSeconds() - s0) * 1000)
            }
            _ = ui.handle(.char("/"), model: player.model)
            _ = ui.handle(.escape, model: player.model)
            ui.sync(with: player.model)
        }
        // What a word key cost before: each trial's text made as a string and searched.
        let t0Text = monotonicSeconds()
        var textMatches = 0
        player.model.trials.withChunks { _, trials in
            for t in trials where t.configText.lowercased().contains("x2=1") { textMatches += 1 }
        }
        let textScan = (monotonicSeconds() - t0Text) * 1000
        checksum &+= textMatches
        // Fold speed: blocks read again from the file and folded into a model (what a seek does past its
        // snapshot).
        let blocksBefore = timeline.blocksRead
        let from = timeline.snapshotPosition(before: timeline.count / 3)
        var probe = timeline.model(at: from)
        let f0 = monotonicSeconds()
        let folded = timeline.fold(&probe, from: from, to: from + min(timeline.count / 2, 200_000))
        let foldRate = Double(folded) / max(1e-9, monotonicSeconds() - f0)
        checksum &+= probe.eventCount
        let memory = residentMemory()
        let rate = Double(n) / indexed
        print(
            "Replay: \(n) events (\(fixed(Double(fileSize(path)) / 1_048_576, 1)) MiB), "
                + "\(timeline.snapshotCount) snapshots every \(timeline.snapshotInterval) events, frames 120x40")
        printTable(
            ["measure", "value", "target"],
            [
                ["first frame", "\(fixed(firstFrame * 1000, 1)) ms", "< 2 s"],
                ["whole log read and indexed", "\(fixed(indexed, 2)) s (\(Int(rate)) events/s)", "-"],
                [
                    "random seek + frame (median / p99 / max)",
                    "\(fixed(median(random), 1)) / \(fixed(percentile(random, 0.99), 1)) / "
                        + "\(fixed(random.max() ?? 0, 1)) ms", "< 100 ms",
                ],
                [
                    "±10 s seek + frame (median / max)",
                    "\(fixed(median(relative), 1)) / \(fixed(relative.max() ?? 0, 1)) ms", "< 100 ms",
                ],
                [
                    "random seek parts: model / list / frame (median)",
                    "\(fixed(median(parts.map(\.model)), 1)) / \(fixed(median(parts.map(\.list)), 1)) / "
                        + "\(fixed(median(parts.map(\.frame)), 1)) ms", "-",
                ],
                ["slowest 3 seeks: model + list + frame", slowest.joined(separator: ", "), "-"],
                ["5% <-> 95% seeks: model + list (ms)", farText, "-"],
                [
                    "word filter key + frame at \(player.model.trials.count) trials (first key / median / max)",
                    "\(firstKeys.map { fixed($0, 1) }.joined(separator: ", ")) / \(fixed(median(wordKeys), 1)) / "
                        + "\(fixed(wordKeys.max() ?? 0, 1)) ms (\(matched.map(String.init).joined(separator: ", ")) rows)",
                    "< 100 ms",
                ],
                ["the same trials' texts made as strings and searched", "\(fixed(textScan, 0)) ms", "-"],
                [
                    "far seek + frame with the word filter on (median / max)",
                    "\(fixed(median(wordSeeks), 1)) / \(fixed(wordSeeks.max() ?? 0, 1)) ms", "-",
                ],
                ["read again + folded (seek past a snapshot)", "\(Int(foldRate)) events/s", "-"],
                [
                    "events held / blocks read again", "\(timeline.heldEvents) / \(timeline.blocksRead - blocksBefore)",
                    "-",
                ],
                [
                    "resident after reading (peak so far) / at the end",
                    "\(fixed(afterRead.rss, 0)) (\(fixed(afterRead.hwm, 0))) / \(fixed(memory.rss, 0)) MiB", "-",
                ],
                ["peak resident memory (VmHWM)", "\(fixed(memory.hwm, 0)) MiB", "< 500 MiB"],
            ])
        let model = timeline.tail
        let tables = model.tableSizes.map { "\($0.name) \($0.count) (\(fixed(Double($0.bytes) / 1_048_576, 1)) MiB)" }
        print("model tables: " + tables.joined(separator: ", "))
        print(
            "bytes: TrialRecord \(MemoryLayout<TrialRecord>.stride), RunState.Trial "
                + "\(MemoryLayout<RunState.Trial>.stride), RunEvent \(MemoryLayout<RunEvent>.stride); "
                + "snapshots \(fixed(Double(timeline.snapshotBytes) / 1_048_576, 1)) MiB (estimated, "
                + "budget \(timeline.snapshotBudget >> 20) MiB)")
        print(
            "bench=replay events=\(n) first_frame_ms=\(fixed(firstFrame * 1000, 1)) index_s=\(fixed(indexed, 3)) "
                + "events_per_s=\(Int(rate)) seek_median_ms=\(fixed(median(random), 2)) "
                + "seek_p99_ms=\(fixed(percentile(random, 0.99), 2)) seek_max_ms=\(fixed(random.max() ?? 0, 2)) "
                + "seek10s_median_ms=\(fixed(median(relative), 2)) seek10s_max_ms=\(fixed(relative.max() ?? 0, 2)) "
                + "word_key_median_ms=\(fixed(median(wordKeys), 2)) word_key_max_ms=\(fixed(wordKeys.max() ?? 0, 2)) "
                + "word_seek_max_ms=\(fixed(wordSeeks.max() ?? 0, 2)) text_scan_ms=\(fixed(textScan, 0)) "
                + "snapshots=\(timeline.snapshotCount) interval=\(timeline.snapshotInterval) "
                + "fold_events_per_s=\(Int(foldRate)) held_events=\(timeline.heldEvents) "
                + "rss_after_read_mib=\(fixed(afterRead.rss, 0)) hwm_mib=\(fixed(memory.hwm, 0)) checksum=\(checksum % 10)"
        )
    }
}

/// The `q` quantile of some numbers (nearest rank; 0 for none).
private func percentile(_ xs: [Double], _ q: Double) -> Double {
    guard !xs.isEmpty else { return 0 }
    let s = xs.sorted()
    return s[min(s.count - 1, Int((Double(s.count) * q).rounded(.up)) - 1)]
}
