import ASHA
import Dispatch
import Foundation
import HeapModule
import Objectives
import RunLog

/// One entry of a rung: a trial and the value it recorded there.
struct RungEntry: Equatable {
    var trial: TrialID
    var value: Double
}

/// Runs a tuning experiment: the scheduler decides, workers train, and every fact becomes an event.
///
/// Two backends behind this one interface:
/// - `.dispatch`: real jobs on one concurrent `DispatchQueue` with wall-clock time. A job is
///   dispatched only when a worker slot is free; a worker whose job ends asks for the next one
///   itself, so no thread waits between jobs.
/// - `.simulated`: a discrete-event clock with virtual workers. Each step advances its worker's clock
///   by the step's declared cost, steps complete in time order, and the same seed gives the same run.
///
/// Commands (`send`) may come from any thread; the tuner answers with the events that record what
/// happened. All run state lives in one `RunCore` behind one lock, so event order is defined in one place.
public final class Tuner: @unchecked Sendable {
    /// Which clock and workers run the jobs.
    public enum Backend: Sendable, Equatable {
        case dispatch
        case simulated
    }

    private let lock = NSLock()
    private let core: RunCore
    private let backend: Backend
    private let queue = DispatchQueue(label: "ashb.workers", qos: .userInitiated, attributes: .concurrent)
    private let started = DispatchTime.now()
    private let ended = DispatchSemaphore(value: 0)
    /// Commands for the simulated backend, applied between its events (own lock: the simulation holds `lock`).
    private let commandLock = NSLock()
    private var pendingCommands: [Command] = []
    private var budgetTimer: DispatchSourceTimer?
    /// Checks running steps against the trial time limit, ten times a second.
    private var trialTimer: DispatchSourceTimer?
    /// Seconds of run time before this process took over (a resumed run's clock goes on from its log).
    private var timeOffset = 0.0

    /// Prepares a run; nothing happens until `start()` (or `run()`).
    public init(
        objective: any Objective, space: SearchSpace, settings: SchedulerSettings, options: TunerOptions,
        backend: Backend = .dispatch, sinks: [any EventSink]
    ) throws {
        let scheduler = try ASHAScheduler(space: space, settings: settings)
        core = RunCore(objective: objective, scheduler: scheduler, options: options, sinks: sinks)
        self.backend = backend
    }

    /// The run's description as recorded in its first event.
    public var info: RunInfo { core.info }

    /// Adds a sink before the run starts (e.g. the log writer of a resumed run, which can only be
    /// opened once the log has been read).
    public func addSink(_ sink: any EventSink) {
        lock.lock()
        defer { lock.unlock() }
        core.sinks.append(sink)
    }

    /// Keeps trials' checkpoints in `store`: saved when a trial completes a rung or is paused, and
    /// read back when a resumed run continues a trial.
    public func keepCheckpoints(in store: CheckpointStore) {
        lock.lock()
        defer { lock.unlock() }
        core.checkpoints = store
    }

    /// The first checkpoint that could not be written, once pending writes are done (nil: none lost).
    public var checkpointError: String? {
        lock.lock()
        defer { lock.unlock() }
        core.checkpoints?.drain()
        return core.checkpoints?.error
    }

    /// Rebuilds the run's state by folding its log (read by `reader` to the end), so that `start()` or
    /// `run()` goes on where it stopped: rungs, promotions, budget used and the sampling sequence intact.
    /// Returns the number of events restored.
    @discardableResult
    public func restore(from reader: LogReader) throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        var n = 0
        while let e = try reader.next() {
            try core.restore(e)
            n += 1
        }
        guard n > 0 else { throw RestoreError("the log holds no events") }
        core.finishRestore(eventsRead: n)
        timeOffset = core.now
        return n
    }

    /// Every rung's entries (trial, value), by bracket and rung, sorted by trial: for checking that a
    /// resumed run's rungs are the uninterrupted run's.
    func rungContents() -> [[[RungEntry]]] {
        lock.lock()
        defer { lock.unlock() }
        let s = core.scheduler
        return s.ladders.indices.map { b in
            s.ladders[b].indices.map { k in
                s.rungEntries(bracket: b, rung: k).map { RungEntry(trial: $0.trial, value: $0.value) }
                    .sorted { $0.trial < $1.trial }
            }
        }
    }

    /// Whether this tuner continues a run restored from its log.
    public var isRestored: Bool {
        lock.lock()
        defer { lock.unlock() }
        return core.restoredEvents > 0
    }

    /// Why the restored run had ended, if it had.
    public var restoredEndReason: String? {
        lock.lock()
        defer { lock.unlock() }
        return core.restoredEndReason
    }

    /// Asks the tuner to do something; safe from any thread.
    public func send(_ command: Command) {
        if backend == .simulated {
            commandLock.lock()
            pendingCommands.append(command)
            commandLock.unlock()
            return
        }
        lock.lock()
        defer { lock.unlock() }
        core.tick(elapsed())
        core.apply(command)
        fillSlots()
    }

    /// Runs to the end and returns the summary (blocks the calling thread).
    public func run() -> RunSummary {
        switch backend {
        case .dispatch:
            start()
            return waitUntilEnded()
        case .simulated:
            return simulate()
        }
    }

    /// Starts a `.dispatch` run and returns at once; `waitUntilEnded()` waits for it.
    public func start() {
        precondition(backend == .dispatch, "start() is for the dispatch backend; use run() to simulate")
        lock.lock()
        core.tick(elapsed())
        core.start()
        fillSlots()
        lock.unlock()
        if let limit = core.options.maxSeconds {
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ashb.budget"))
            t.schedule(deadline: .now() + limit)
            t.setEventHandler { [weak self] in self?.send(.stopRun(reason: "time budget")) }
            t.resume()
            budgetTimer = t
        }
        if core.options.trialTimeLimit != nil {
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ashb.trial-time"))
            t.schedule(deadline: .now() + 0.1, repeating: 0.1, leeway: .milliseconds(20))
            t.setEventHandler { [weak self] in self?.enforceTrialTimeLimit() }
            t.resume()
            trialTimer = t
        }
    }

    private func enforceTrialTimeLimit() {
        lock.lock()
        defer { lock.unlock() }
        core.tick(elapsed())
        core.enforceTrialTimeLimit()
    }

    /// Why the run failed as a whole: too many trials failed in a row (`maxFailures`), or every trial
    /// failed; with the last failure's reason. Nil otherwise.
    public var failureStop: String? {
        lock.lock()
        defer { lock.unlock() }
        let last = core.lastFailure ?? ""
        if core.isEnded, !core.stoppedByFailures, !core.trials.isEmpty, core.trials.allSatisfy({ $0.status == .failed })
        {
            return "all \(core.trials.count) trials failed; the last: \(last)"
        }
        guard core.stoppedByFailures else { return nil }
        return "\(core.failuresInARow) trials failed in a row (budget.max_failures); the last: \(last)"
    }

    /// Every trial's status, by trial id.
    public var trialStatuses: [TrialStatus] {
        lock.lock()
        defer { lock.unlock() }
        return core.trials.map(\.status)
    }

    /// Waits until the run has ended.
    public func waitUntilEnded() -> RunSummary {
        ended.wait()
        ended.signal()  // later waiters pass too
        budgetTimer?.cancel()
        trialTimer?.cancel()
        return summary
    }

    /// The run's summary so far.
    public var summary: RunSummary {
        lock.lock()
        defer { lock.unlock() }
        return core.summary()
    }

    private func elapsed() -> Double {
        timeOffset + Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    }

    // MARK: - Dispatch backend

    /// Hands work to every free slot (called with the lock held).
    private func fillSlots() {
        for w in 0..<core.slots.count where core.slots[w] == nil {
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
        var going = true
        while going {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let result: Result<Step, any Error>
            do { result = .success(try a.model.step()) } catch { result = .failure(error) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let notes = a.model.takeNotes()
            lock.lock()
            core.tick(elapsed())
            for note in notes { core.emit(.message(trial: a.trial, text: note)) }
            switch result {
            case .success(let step): going = core.report(trial: a.trial, step: step, seconds: seconds)
            case .failure(let error):
                core.stepFailed(trial: a.trial, error: error)
                going = false
            }
            if !going {
                // What the trial holds only while it trains (a command's process) is released before
                // its slot takes another job, without holding the lock (it may take a grace period).
                let fate = core.fate(of: a.trial)
                core.trials[a.trial].releasing = true
                lock.unlock()
                a.model.jobEnded(fate)
                lock.lock()
                core.tick(elapsed())
                core.finishJob(worker: a.worker, trial: a.trial)
                fillSlots()
            }
            lock.unlock()
        }
    }

    // MARK: - Simulated backend

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

    /// Runs the whole experiment on the simulated clock (one thread, no sleeping).
    private func simulate() -> RunSummary {
        lock.lock()
        defer { lock.unlock() }
        var heap = Heap<Pending>()
        var order = 0
        var now = 0.0

        func schedule(_ a: Assignment, at start: Double? = nil) {
            let step: Result<Step, SimulatedFailure>
            var cost = 0.0
            do {
                // A restored trial catches up to its recorded resource at no simulated cost.
                let recorded = core.trials[a.trial].resource
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
        func fill() {
            for w in 0..<core.slots.count where core.slots[w] == nil {
                if let a = core.assign(worker: w) { schedule(a) }
            }
        }

        now = timeOffset
        core.tick(now)
        core.start()
        for f in core.inFlight {
            if let a = core.resumeInFlight(trial: f.trial, worker: f.worker) { schedule(a, at: f.since) }
        }
        core.inFlight = []
        fill()
        while !core.endIfDone() {
            commandLock.lock()
            let commands = pendingCommands
            pendingCommands.removeAll()
            commandLock.unlock()
            if !commands.isEmpty {
                for c in commands { core.apply(c) }
                fill()
                continue
            }
            guard let p = heap.popMin() else {
                // Nothing runs and nothing can start: the scheduler is starved or the run is held.
                core.apply(.stopRun(reason: "nothing left to run"))
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
                schedule(p.assignment)
            } else {
                p.assignment.model.jobEnded(core.fate(of: p.assignment.trial))
                core.finishJob(worker: p.assignment.worker, trial: p.assignment.trial)
                fill()
            }
        }
        return core.summary()
    }
}
