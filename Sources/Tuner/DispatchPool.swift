import Dispatch
import Foundation
import ObjectiveProtocol
import RunLog

/// Real jobs on one concurrent `DispatchQueue`, stamped with wall-clock time. A job is dispatched only
/// when a worker slot is free; when it is over, the slot's next job is dispatched as a new block.
final class DispatchPool: RunBackend {
    private let core: Locked<RunCore>
    private let queue = DispatchQueue(label: "ashb.workers", qos: .userInitiated, attributes: .concurrent)
    private let started = DispatchTime.now()
    private let ended = DispatchSemaphore(value: 0)
    /// The timer of the time budget, and the one that checks running steps against the trial time
    /// limit ten times a second; set by `start()`.
    private let timers = Locked<[any DispatchSourceTimer]>([])

    init(core: Locked<RunCore>) { self.core = core }

    func start() {
        let options = core.withLock { core in
            core.clockOffset = core.now
            core.tick(elapsed(core))
            core.start()
            fillSlots(&core)
            return core.options
        }
        if options.maxSeconds != nil {
            // The time budget counts the run's time outside its pauses (and a resumed run's time before
            // this process): look at it ten times a second.
            tenTimesASecond("ashb.budget") { $0.enforceTimeBudget() }
        }
        if options.trialTimeLimit != nil { tenTimesASecond("ashb.trial-time") { $0.enforceTrialTimeLimit() } }
    }

    /// Calls `check` ten times a second on a queue of its own (`label`), while the pool lives.
    private func tenTimesASecond(_ label: String, _ check: @escaping @Sendable (DispatchPool) -> Void) {
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: label))
        t.schedule(deadline: .now() + 0.1, repeating: 0.1, leeway: .milliseconds(20))
        t.setEventHandler { [weak self] in if let self { check(self) } }
        t.resume()
        timers.withLock { $0.append(t) }
    }

    private func enforceTimeBudget() {
        core.withLock { core in
            core.tick(elapsed(core))
            guard core.stopReason == nil, let limit = core.options.maxSeconds,
                core.state.activeSeconds(at: core.now) >= limit
            else { return }
            core.apply(.stopRun(reason: .timeBudget))
            fillSlots(&core)
        }
    }

    private func enforceTrialTimeLimit() {
        core.withLock { core in
            core.tick(elapsed(core))
            core.enforceTrialTimeLimit()
        }
    }

    func waitUntilEnded() {
        ended.wait()
        ended.signal()  // later waiters pass too
        timers.withLock { for t in $0 { t.cancel() } }
    }

    func send(_ command: Command) {
        core.withLock { core in
            core.tick(elapsed(core))
            core.apply(command)
            fillSlots(&core)
        }
    }

    /// Run time now: the core's clock offset plus the wall time since this pool was made.
    private func elapsed(_ core: RunCore) -> Double {
        core.clockOffset + Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    }

    /// Hands work to every free slot (the caller holds the core's lock).
    private func fillSlots(_ core: inout RunCore) {
        for w in 0..<core.state.slots.count where core.state.slots[w] == nil {
            guard let a = core.assign(worker: w) else { continue }
            queue.async { [self] in work(a) }
        }
        if !core.endIfDone() { core.endIfStarved() }
        if core.isEnded { ended.signal() }
    }

    /// Runs one job: train step by step, report each step; when the job is over, the slot's next job
    /// is dispatched as a new block rather than run on this thread, so that blocks waiting for a thread
    /// (libdispatch on Linux runs about one thread per core for CPU-bound blocks) get their turn and no
    /// slot starves while others chain job after job.
    private func work(_ a: Assignment) {
        // Where the job's process runs (a cluster job that left the queue) is recorded when the trial
        // learns it, from inside `step()` (which runs without the core's lock), while the job still runs.
        // The trial keeps the observer: it holds neither the trial nor the pool strongly (no cycle).
        let (trial, worker) = (a.trial, a.worker)
        if a.model.placesJobs {
            a.model.observePlacements { [weak self] placement in
                guard let self else { return }
                core.withLock { core in
                    guard !core.isEnded, core.state.slots.indices.contains(worker),
                        core.state.slots[worker] == trial
                    else { return }
                    core.tick(elapsed(core))
                    core.emit(.jobPlaced(trial: trial, worker: worker, placement: placement))
                }
            }
        }
        var going = true
        while going {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let result: Result<Step, any Error>
            do { result = .success(try a.model.step()) } catch { result = .failure(error) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let notes = a.model.takeNotes()
            let fate: TrialFate? = core.withLock { core in
                core.tick(elapsed(core))
                for note in notes { core.emit(.message(trial: a.trial, text: note)) }
                let going: Bool
                switch result {
                case .success(let step): going = core.report(trial: a.trial, step: step, seconds: seconds)
                case .failure(let error):
                    core.stepFailed(trial: a.trial, error: error)
                    going = false
                }
                if going { return nil }
                let fate = core.fate(of: a.trial)
                core.finishJob(worker: a.worker, trial: a.trial)
                core.beginRelease(worker: a.worker, trial: a.trial)
                return fate
            }
            guard let fate else { continue }
            going = false
            // What the trial holds only while it trains (a command's process) is released before its slot
            // takes another job, without holding the lock (it may take a grace period).
            a.model.jobEnded(fate)
            core.withLock { core in
                core.tick(elapsed(core))
                core.endRelease(worker: a.worker, trial: a.trial)
                fillSlots(&core)
            }
        }
    }
}
