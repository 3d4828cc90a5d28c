import Dashboard
import Foundation
import RunFixtures
import RunLog

/// Measures how long a frame takes to render from a large model (`ashb-bench render`).
enum RenderBenchmark {
    /// What one benchmark run measured.
    public struct Result: Sendable {
        /// Trials in the model.
        public var trials: Int
        /// Frame width in cells.
        public var width: Int
        /// Frame height in cells.
        public var height: Int
        /// Frames rendered.
        public var frames: Int
        /// Seconds spent rendering `frames` frames.
        public var seconds: Double
        /// Seconds spent building the model (folding the synthetic events).
        public var foldSeconds: Double
        /// Events folded.
        public var events: Int
        /// Seconds for a full sort of the trials list, and for an incremental re-sync after one event.
        public var fullSortSeconds: Double
        /// Seconds to re-sync the trials list after one more event.
        public var resyncSeconds: Double
        /// Seconds per live frame: fold 20 new metric reports, re-sync the trials list, render.
        public var liveFrameSeconds: Double
        /// Seconds per key while typing a filter, each key answered with its frame (the longest key
        /// and the mean over `filterText`), and the text typed.
        public var filterKeyMaxSeconds = 0.0
        public var filterKeyMeanSeconds = 0.0
        public var filterText = ""

        /// Milliseconds per frame.
        public var msPerFrame: Double { frames > 0 ? seconds * 1000 / Double(frames) : 0 }

        /// `bench=render trials=100000 width=200 height=60 frames=... seconds=... ms_per_frame=...`
        public var line: String {
            "bench=render trials=\(trials) width=\(width) height=\(height) frames=\(frames) "
                + String(format: "seconds=%.4f ms_per_frame=%.4f", seconds, msPerFrame)
        }
    }

    /// Builds a model of `trials` trials from synthetic events, then renders `frames` frames of
    /// `width`×`height` (the selection moving down the list, so frames differ).
    public static func run(
        trials: Int = 100_000, width: Int = 200, height: Int = 60, frames: Int = 300, ascii: Bool = false
    ) -> Result {
        let events = RecordedRun.events(count: trials, workers: 16, brackets: 3)
        let foldStart = DispatchTime.now().uptimeNanoseconds
        var model = DashboardModel(events: events)
        let foldEnd = DispatchTime.now().uptimeNanoseconds
        var ui = UIState()
        ui.screen = Size(width: width, height: height)
        ui.sortKey = .metric
        let sortStart = DispatchTime.now().uptimeNanoseconds
        ui.sync(with: model)
        let sortEnd = DispatchTime.now().uptimeNanoseconds
        var seq = events.count
        let time = events.last?.time ?? 0
        model.apply(RunEvent(seq: seq, time: time, body: .metric(trial: 0, resource: 1, value: 0.5)))
        seq += 1
        let resyncStart = DispatchTime.now().uptimeNanoseconds
        ui.sync(with: model)
        let resyncEnd = DispatchTime.now().uptimeNanoseconds
        let options = RenderOptions(ascii: ascii)
        var checksum = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<frames {
            if i % 10 == 0 { _ = ui.handle(.down, model: model) }
            let grid = render(model: model, ui: ui, size: ui.screen, options: options)
            checksum &+= Int(grid.cells[i % grid.cells.count].role.rawValue)
        }
        let end = DispatchTime.now().uptimeNanoseconds
        let liveFrames = 50
        let liveStart = DispatchTime.now().uptimeNanoseconds
        for i in 0..<liveFrames {
            for j in 0..<20 {
                let trial = (i * 7919 + j * 104_729) % max(1, model.trials.count)
                let body = RunEvent.Body.metric(trial: trial, resource: 2, value: Double(j) / 20)
                model.apply(RunEvent(seq: seq, time: time, body: body))
                seq += 1
            }
            ui.sync(with: model)
            let grid = render(model: model, ui: ui, size: ui.screen, options: options)
            checksum &+= Int(grid.cells[i % grid.cells.count].role.rawValue)
        }
        let liveEnd = DispatchTime.now().uptimeNanoseconds
        // Typing a filter: `/`, then each character is one key handled (the list's sorted order
        // filtered again) and one frame drawn, as the dashboard answers it.
        let filterText = "status:wait rung>=1 lr<0.05 adam"
        var keyMax = 0.0
        var keyTotal = 0.0
        ui.focus = .trials
        _ = ui.handle(.char("/"), model: model)
        for c in filterText {
            let k0 = DispatchTime.now().uptimeNanoseconds
            _ = ui.handle(.char(c), model: model)
            ui.sync(with: model)
            let grid = render(model: model, ui: ui, size: ui.screen, options: options)
            checksum &+= Int(grid.cells[0].role.rawValue)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - k0) / 1e9
            keyMax = max(keyMax, dt)
            keyTotal += dt
        }
        _ = checksum
        return Result(
            trials: model.trials.count, width: width, height: height, frames: frames,
            seconds: Double(end - start) / 1e9, foldSeconds: Double(foldEnd - foldStart) / 1e9, events: events.count,
            fullSortSeconds: Double(sortEnd - sortStart) / 1e9, resyncSeconds: Double(resyncEnd - resyncStart) / 1e9,
            liveFrameSeconds: Double(liveEnd - liveStart) / 1e9 / Double(liveFrames), filterKeyMaxSeconds: keyMax,
            filterKeyMeanSeconds: keyTotal / Double(filterText.count), filterText: filterText)
    }
}
