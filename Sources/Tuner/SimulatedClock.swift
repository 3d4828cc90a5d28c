import Dispatch
import HeapModule
import ObjectiveProtocol
import RunLog

/// A discrete-event clock with virtual workers, on the calling thread. Each step advances its worker's
/// clock by the step's declared cost, steps complete in time order, and the same seed gives the same
/// run. Commands sent meanwhile are applied between its events.
final class SimulatedClock: RunBackend {
    private let core: Locked<RunCore>
    /// Commands waiting for the next gap between events (a lock of their own: the run holds the core's).
    private let pending = Locked<[Command]>([])
    private let ended = DispatchSemaphore(value: 0)

    init(core: Locked<RunCore>) { self.core = core }

    func start() {
        core.withLock { run(&$0) }
        ended.signal()
    }

    func waitUntilEnded() {
        ended.wait()
        ended.signal()  // later waiters pass too
    }

    func send(_ command: Command) {
        pending.withLock { $0.append(command) }
    }

    private struct Pending: Comparable {
        var time: Double
        var order: Int
        var assignment: Assignment
        var step: Result<Step, SimulatedFailure>
        var cost: Double
        static func < (a: Pending, b: Pending) -> Bool { (a.time, a.order) < (b.time, b.order) }
        static func == (a: Pending, b: Pending) -> Bool { a.time == b.time && a.order == b.order }
    }

    private struct SimulatedFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the whole experiment (one thread, no sleeping).
    private func run(_ core: inout RunCore) {
        var heap = Heap<Pending>()
        var order = 0
        var now = core.now

        func schedule(_ a: Assignment, _ core: RunCore, at start: Double? = nil) {
            let step: Result<Step, SimulatedFailure>
            var cost = 0.0
            do {
                // A restored trial catches up to its recorded resource at no simulated cost.
                let recorded = core.state.trials[a.trial].lastResource
                while a.model.resource < recorded {
                    let before = a.model.resource
                    _ = try a.model.step()
                    if a.model.resource <= before { break }
                }
            } catch {
                heap.insert(
                    Pending(
                        time: start ?? now, order: order, assignment: a,
                        step: .failure(SimulatedFailure(description: "\(error)")), cost: 0))
                order += 1
                return
            }
            let before = a.model.resource
            do {
                let s = try a.model.step()
                step = .success(s)
                cost = s.cost ?? Double(max(1, s.resource - before))
            } catch {
                step = .failure(SimulatedFailure(description: "\(error)"))
            }
            heap.insert(Pending(time: (start ?? now) + cost, order: order, assignment: a, step: step, cost: cost))
            order += 1
        }
        func fill(_ core: inout RunCore) {
            for w in 0..<core.state.slots.count where core.state.slots[w] == nil {
                if let a = core.assign(worker: w) { schedule(a, core) }
            }
        }

        core.tick(now)
        core.start()
        for f in core.inFlight {
            if let a = core.resumeInFlight(trial: f.trial, worker: f.worker) { schedule(a, core, at: f.since) }
        }
        core.inFlight = []
        fill(&core)
        while !core.endIfDone() {
            let commands = pending.withLock { pending in
                let out = pending
                pending.removeAll()
                return out
            }
            if !commands.isEmpty {
                for c in commands { core.apply(c) }
                fill(&core)
                continue
            }
            guard let p = heap.popMin() else {
                // Nothing runs and nothing can start: the scheduler is starved or the run is held.
                core.apply(.stopRun(reason: .nothingLeftToRun))
                continue
            }
            now = p.time
            core.tick(now)
            let going: Bool
            switch p.step {
            case .success(let step):
                going = core.report(trial: p.assignment.trial, step: step, seconds: p.cost)
            case .failure(let error):
                core.stepFailed(trial: p.assignment.trial, error: error)
                going = false
            }
            if going {
                schedule(p.assignment, core)
            } else {
                p.assignment.model.jobEnded(core.fate(of: p.assignment.trial))
                core.finishJob(worker: p.assignment.worker, trial: p.assignment.trial)
                fill(&core)
            }
        }
    }
}
