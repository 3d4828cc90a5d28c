import ASHA
import Foundation
import Objectives
import RunLog
import Testing

@testable import Tuner

/// A trial that tells its observer where each job's "process" runs before its first step of the job,
/// as a cluster launcher does once the job left the queue.
private final class PlacedTrial: ObjectiveTrial, @unchecked Sendable {
    private let lock = NSLock()
    private var observer: (@Sendable (ProcessPlacement) -> Void)?
    private var jobs = 0
    private var placedJob = -1
    private(set) var resource = 0
    let id: Int

    init(id: Int) { self.id = id }

    var placesJobs: Bool { true }

    func observePlacements(_ observer: @escaping @Sendable (ProcessPlacement) -> Void) {
        lock.withLock { self.observer = observer }
    }

    func jobStarting(worker: Int, target: Int) { lock.withLock { jobs += 1 } }

    func step() throws -> Step {
        let (tell, job): ((@Sendable (ProcessPlacement) -> Void)?, Int) = lock.withLock {
            let first = placedJob != jobs
            placedJob = jobs
            return (first ? observer : nil, jobs)
        }
        tell?(
            ProcessPlacement(
                executor: "slurm", job: "\(100 * id + job)", step: nil, node: "n\(id % 2)", queueSeconds: 0.5))
        resource += 1
        return Step(resource: resource, value: 1.0 / Double(resource) + Double(id) * 0.01)
    }
}

private struct PlacedObjective: Objective {
    var name = "placed"
    var metric = "loss"
    var goal = Goal.minimize
    var maxResource: Int? = 9
    var defaultSpace: SearchSpace {
        try! SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])
    }
    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial { PlacedTrial(id: 0) }
    func makeTrial(config: Configuration, seed: UInt64, trial: Int) throws -> any ObjectiveTrial {
        PlacedTrial(id: trial)
    }
}

@Suite("job_placed from the Dispatch pool")
struct PlacementEventTests {
    @Test(
        "What a trial tells during a step is logged as job_placed for its job's worker, before the job's first metric")
    func placementsAreLogged() throws {
        let recorder = Recorder()
        let settings = SchedulerSettings(
            variant: .promotion, goal: .minimize, minResource: 1, maxResource: 9, reductionFactor: 3, maxTrials: 9)
        let tuner = try Tuner(
            objective: PlacedObjective(), space: PlacedObjective().defaultSpace, settings: settings,
            options: TunerOptions(name: "placed", workers: 2), backend: .dispatch, sinks: [recorder])
        let summary = tuner.run()
        #expect(summary.endReason == "finished")
        let events = recorder.events
        #expect(RunState(events: events).violations == 0)
        var open: [Int: (worker: Int, placed: Bool)] = [:]
        var placed = 0
        var jobs = 0
        for e in events {
            switch e.body {
            case .jobStarted(let t, let w, _, _, _):
                open[t] = (w, false)
                jobs += 1
            case .jobPlaced(let t, let w, let p):
                #expect(open[t]?.worker == w && open[t]?.placed == false, "trial \(t) placed on \(w): \(open)")
                #expect(p.executor == "slurm" && p.node == "n\(t % 2)" && p.queueSeconds == 0.5)
                open[t]?.placed = true
                placed += 1
            case .metric(let t, _, _):
                #expect(open[t]?.placed == true, "trial \(t) reported before its job was placed")
            case .jobEnded(let t, _):
                open[t] = nil
            default: break
            }
        }
        #expect(jobs >= 9 && placed == jobs, "\(placed) placements for \(jobs) jobs")
    }
}
