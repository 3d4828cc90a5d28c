import ASHA
import Foundation
import RunFixtures
import RunLog
import Testing

@testable import Dashboard

/// Golden-file tests of whole frames. Set ASHB_RECORD_GOLDEN=1 to rewrite the files under
/// Tests/DashboardTests/Golden (found from this source file's path), then review the diff.
@Suite("Render snapshots")
struct RenderSnapshotTests {
    static let recording = ProcessInfo.processInfo.environment["ASHB_RECORD_GOLDEN"] == "1"

    /// A run in flight: 60 trials sampled on 4 workers in 2 brackets, one waiting trial paused by the user.
    static func fixture() -> DashboardModel {
        var events = RecordedRun.events(count: 60, workers: 4, brackets: 2)
        let last = events.last!
        let waiting = RunState(events: events).trials.first { $0.status == .waiting }!.id
        events.append(RunEvent(seq: last.seq + 1, time: last.time, body: .trialPaused(trial: waiting, by: .user)))
        let model = DashboardModel(events: events)
        precondition(model.run.violations == 0, "a recorded run is legal")
        return model
    }

    static func finished() -> DashboardModel {
        DashboardModel(events: RecordedRun.events(count: 60, workers: 4, brackets: 2, finish: true))
    }

    func check(_ name: String, _ actual: String) throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
        if Self.recording {
            try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
            try actual.write(to: golden.appendingPathComponent(name), atomically: true, encoding: .utf8)
            return
        }
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"),
            "missing golden file \(name); record with ASHB_RECORD_GOLDEN=1")
        let expected = try String(contentsOf: url, encoding: .utf8)
        if expected != actual {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let first = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
            let want = first < e.count ? String(e[first]) : "<end>"
            let got = first < a.count ? String(a[first]) : "<end>"
            Issue.record("\(name) differs at line \(first + 1):\n want: \(want)\n  got: \(got)")
        }
    }

    func frame(
        _ model: DashboardModel, _ w: Int, _ h: Int, ascii: Bool, configure: (inout UIState) -> Void = { _ in }
    ) -> CellGrid {
        var ui = viewState(model, size: Size(width: w, height: h))
        configure(&ui)
        ui.sync(with: model)
        return render(model: model, ui: ui, size: Size(width: w, height: h), options: RenderOptions(ascii: ascii))
    }

    @Test(arguments: [(80, 24), (120, 40), (40, 10)], [false, true])
    func dashboard(size: (Int, Int), ascii: Bool) throws {
        let grid = frame(Self.fixture(), size.0, size.1, ascii: ascii)
        try check("dashboard-\(size.0)x\(size.1)-\(ascii ? "ascii" : "utf8").txt", grid.text)
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func styleRoles(size: (Int, Int)) throws {
        let grid = frame(Self.fixture(), size.0, size.1, ascii: false)
        let legend = "legend: " + StyleRole.allCases.map { "\($0.letter)=\($0)" }.joined(separator: " ") + "\n"
        try check("roles-\(size.0)x\(size.1).txt", legend + grid.roleMap)
    }

    @Test(arguments: [false, true])
    func trialDetail(ascii: Bool) throws {
        let model = Self.finished()
        let grid = frame(model, 120, 40, ascii: ascii) { ui in
            let deepest = model.trials.max { ($0.highestRung ?? -1, -$0.id) < ($1.highestRung ?? -1, -$1.id) }!
            ui.selectedTrial = deepest.id
            ui.overlay = .detail(deepest.id)
        }
        try check("detail-120x40-\(ascii ? "ascii" : "utf8").txt", grid.text)
    }

    /// The detail overlay at 80×24; the curve's title takes a short form rather than lose its end.
    @Test func trialDetailAt80x24() throws {
        let model = Self.finished()
        let grid = frame(model, 80, 24, ascii: false) { ui in
            let deepest = model.trials.max { ($0.highestRung ?? -1, -$0.id) < ($1.highestRung ?? -1, -$1.id) }!
            ui.selectedTrial = deepest.id
            ui.overlay = .detail(deepest.id)
        }
        try check("detail-80x24-utf8.txt", grid.text)
        // The digits demo's metric at this width: the short title, whole.
        #expect(
            Renderer.curveTitle(metric: "validation_error", scale: "linear", mark: "×", width: 74)
                == " curve: validation_error (linear) vs r (log); × = cutoff")
        #expect(
            Renderer.curveTitle(metric: "loss", scale: "linear", mark: "×", width: 74)
                == " learning curve: loss (linear) vs resource r (log); × = rung cutoff")
        #expect(
            Renderer.curveTitle(metric: String(repeating: "m", count: 80), scale: "log", mark: "x", width: 74)
                == " x = rung cutoff")
    }

    @Test func stoppingVariant() throws {
        var events = RecordedRun.events(count: 80, workers: 3, variant: .stopping)
        let last = events.last!
        events.append(RunEvent(seq: last.seq + 1, time: last.time, body: .runPaused(by: .user)))
        try check("stopping-paused-100x30-utf8.txt", frame(DashboardModel(events: events), 100, 30, ascii: false).text)
    }

    @Test func helpConfirmAndEndedScreens() throws {
        let model = Self.fixture()
        try check("help-80x24-utf8.txt", frame(model, 80, 24, ascii: false) { $0.overlay = .help }.text)
        try check(
            "confirm-kill-100x30-ascii.txt",
            frame(model, 100, 30, ascii: true) { ui in
                _ = ui.handle(.char("K"), model: model)
            }.text)
        try check(
            "ended-frozen-filtered-120x40-utf8.txt",
            frame(Self.finished(), 120, 40, ascii: false) { ui in
                let model = Self.finished()
                for key in [Key.char("f"), .char("s"), .char("/")] + "adam".map(Key.char) + [.enter] {
                    _ = ui.handle(key, model: model)
                }
            }.text)
    }
}
