import ASHA
import Dashboard
import RunLog
import Testing

/// The Workers pane and the trial detail of a run whose trials are cluster jobs: each busy row names its
/// job (or step), node and wait in the queue, or says the job is still pending.
@Suite("Cluster jobs on the Workers pane")
struct ClusterWorkersTests {
    static func run(executor: String?, placeFirst: JobPlacement? = nil) -> EventBuilder {
        var b = EventBuilder()
        var info = EventBuilder.info(workers: 2)
        info.executor = executor
        b.add(.runStarted(info))
        for t in 0..<2 {
            b.add(.trialSampled(trial: t, bracket: 0, config: EventBuilder.config(0.01 * Double(t + 1))))
            b.add(.jobStarted(trial: t, worker: t, rung: 0, fromResource: 0, toResource: 1), at: 1)
        }
        if let placeFirst { b.add(.jobPlaced(trial: 0, worker: 0, placement: placeFirst), at: 1.2) }
        b.add(.metric(trial: 0, resource: 1, value: 0.5), at: 5)
        return b
    }

    static let job = JobPlacement(executor: "slurm", job: "70", node: "node7", queueSeconds: 0.14)

    /// The Workers pane's rows (title, header, one per worker) at `size`.
    private func pane(_ model: DashboardModel, _ size: Size) -> [String] {
        let grid = render(model: model, ui: viewState(model, size: size), size: size)
        let rows = (0..<size.height).map { grid.rowText($0) }
        guard let title = rows.firstIndex(where: { $0.contains("Workers ") }) else { return [] }
        return Array(rows[title...].prefix(4))
    }

    @Test("A placed job shows job@node and its wait; an unplaced one is pending; at 80 and 120 columns")
    func placedAndPending() throws {
        let model = DashboardModel(events: Self.run(executor: "slurm", placeFirst: Self.job).events)
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 40)] {
            let rows = pane(model, size)
            try #require(rows.count == 4, "\(rows)")
            #expect(rows[0].contains("Workers 2/2 busy, 1 pending in the queue"), "\(rows[0])")
            #expect(rows[1].contains("job@node queued"), "\(rows[1])")
            #expect(rows[2].contains(" 70@node7 0.1s"), "\(rows[2])")
            #expect(rows[3].contains(" pending 4.0s"), "\(rows[3])")
            let header = render(model: model, ui: viewState(model, size: size), size: size).rowText(0)
            #expect(header.contains("slurm"), "\(header)")
        }
    }

    @Test("A step of an allocation shows job.step; a retry replaces the placement and counts the jobs")
    func stepAndRetry() throws {
        var b = Self.run(
            executor: "slurm",
            placeFirst: JobPlacement(executor: "slurm", job: "70", step: "3", node: "n1", queueSeconds: 0))
        #expect(pane(DashboardModel(events: b.events), Size(width: 120, height: 40))[2].contains(" 70.3@n1 0.0s"))
        b.add(
            .jobPlaced(
                trial: 0, worker: 0, placement: JobPlacement(executor: "slurm", job: "71", node: "n2", queueSeconds: 65)
            ))
        let model = DashboardModel(events: b.events)
        #expect(pane(model, Size(width: 120, height: 40))[2].contains(" 71@n2 1:05"))
        #expect(model.trial(0)?.placements == 2)
        var ui = viewState(model)
        ui.overlay = .detail(0)
        let detail = render(model: model, ui: ui, size: Size(width: 120, height: 40)).text
        #expect(
            detail.contains("Slurm job 71 on n2, waited 1:05 in the queue (2 jobs on the cluster so far)"), "\(detail)")
    }

    @Test("After its job, the trial detail names the last job; the worker row is idle")
    func lastJob() throws {
        var b = Self.run(executor: "slurm", placeFirst: Self.job)
        b.add(EventBuilder.decision(0, rung: 0, resource: 1, value: 0.5, action: .wait))
        b.add(.jobEnded(trial: 0, worker: 0))
        let model = DashboardModel(events: b.events)
        #expect(model.workers[0].placement == nil)
        #expect(!pane(model, Size(width: 120, height: 40))[2].contains("70@"))
        var ui = viewState(model)
        ui.overlay = .detail(0)
        let detail = render(model: model, ui: ui, size: Size(width: 120, height: 40)).text
        #expect(detail.contains("last job: Slurm job 70 on node7, waited 0.1s in the queue"), "\(detail)")
    }

    @Test("A placement for a worker that runs another trial leaves that row alone")
    func staleWorker() {
        var b = Self.run(executor: "slurm")
        b.add(.jobPlaced(trial: 0, worker: 1, placement: Self.job))
        let model = DashboardModel(events: b.events)
        #expect(model.workers[1].placement == nil && model.workers[0].placement == nil)
    }

    @Test("Cluster-given text is made inert: no control character reaches the grid")
    func hostileNode() {
        let evil = JobPlacement(
            executor: "slurm\u{1b}]0;x\u{7}", job: "70\u{1b}[2J", step: "1\u{9b}6n", node: "no\u{1b}[31mde\u{202E}",
            queueSeconds: -.infinity)
        let model = DashboardModel(events: Self.run(executor: "slurm\u{1b}[H", placeFirst: evil).events)
        var ui = viewState(model)
        for size in [Size(width: 120, height: 40), Size(width: 80, height: 24)] {
            for overlay in [nil, Overlay.detail(0)] {
                ui.overlay = overlay
                let grid = render(model: model, ui: ui, size: size)
                let bad = grid.cells.filter { c in
                    c.character.unicodeScalars.contains {
                        $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}"
                    }
                }
                #expect(bad.isEmpty)
            }
        }
        #expect(model.workers[0].placement?.node == "node")
    }

    @Test("A local run keeps its state column and shows no queue")
    func local() {
        let rows = pane(DashboardModel(events: Self.run(executor: nil).events), Size(width: 120, height: 40))
        #expect(rows[1].hasSuffix(" state") || rows[1].contains(" state "), "\(rows[1])")
        #expect(rows[2].contains(" run") && !rows[2].contains("pending"), "\(rows[2])")
        #expect(!rows[0].contains("pending"))
    }
}
