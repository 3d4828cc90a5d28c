import ASHA
import Dispatch
import Foundation
import ObjectiveProtocol
import RunLog

/// One entry of a rung: a trial and the value it recorded there.
struct RungEntry: Equatable {
    var trial: TrialID
    var value: Double
}

/// Runs a tuning experiment: the scheduler decides, workers train, and every fact becomes an event.
///
/// The run's state lives in one `RunCore` behind one lock, so event order is defined in one place. A
/// backend (`RunBackend`) decides where jobs execute and which clock stamps the events:
/// - `.dispatch` (`DispatchPool`): real jobs on one concurrent `DispatchQueue` with wall-clock time.
/// - `.simulated` (`SimulatedClock`): a discrete-event clock with virtual workers; the same seed gives
///   the same run.
///
/// Commands (`send`) may come from any thread; the tuner answers with the events that record what
/// happened.
public final class Tuner: Sendable {
    /// Which clock and workers run the jobs.
    public enum Backend: Sendable, Equatable {
        case dispatch
        case simulated
    }

    private let core: Locked<RunCore>
    private let backend: any RunBackend
    /// The run's description as recorded in its first event.
    public let info: RunInfo

    /// Prepares a run; nothing happens until `start()` (or `run()`).
    public init(
        objective: any Objective, space: SearchSpace, settings: SchedulerSettings, options: TunerOptions,
        backend: Backend = .dispatch, sinks: [any EventSink]
    ) throws {
        var scheduler = try ASHAScheduler(space: space, settings: settings)
        scheduler.canonicalizeSamples { objective.canonicalConfiguration($0) }
        let runCore = RunCore(objective: objective, scheduler: scheduler, options: options, sinks: sinks)
        info = runCore.info
        core = Locked(runCore)
        switch backend {
        case .dispatch: self.backend = DispatchPool(core: core)
        case .simulated: self.backend = SimulatedClock(core: core)
        }
    }

    /// Adds a sink before the run starts (e.g. the log writer of a resumed run, which can only be
    /// opened once the log has been read).
    public func addSink(_ sink: any EventSink) {
        core.withLock { $0.addSink(sink) }
    }

    /// Keeps trials' checkpoints in `store`: saved when a trial completes a rung or is paused, and
    /// read back when a resumed run continues a trial.
    /// Once the run has ended, `keeping` says which of them stay.
    public func keepCheckpoints(in store: CheckpointStore, keeping: KeepCheckpoints = .best) {
        core.withLock {
            $0.checkpoints = store
            $0.keeping = keeping
        }
    }

    /// The first checkpoint that could not be written, once pending writes are done (nil: none lost).
    public var checkpointError: String? {
        core.withLock { core in
            core.checkpoints?.drain()
            return core.checkpoints?.error
        }
    }

    /// Rebuilds the run's state by folding its log (read by `reader` to the end), so that `start()` or
    /// `run()` goes on where it stopped: rungs, promotions, budget used and the sampling sequence intact.
    /// Returns the number of events restored. The run's next event takes the reader's next number: in a log
    /// numbered by place (version 2), bad lines a lenient reading skipped after the last event take theirs.
    @discardableResult
    public func restore(from reader: LogReader) throws -> Int {
        let n = try restore { try reader.next() }
        core.withLock { $0.seq = max($0.seq, reader.nextSeq) }
        return n
    }

    /// Rebuilds the run's state from `events` (a log already read), as `restore(from:)` does.
    @discardableResult
    public func restore(events: some Sequence<RunEvent>) throws -> Int {
        var iterator = events.makeIterator()
        return try restore { iterator.next() }
    }

    private func restore(_ next: () throws -> RunEvent?) throws -> Int {
        try core.withLock { core in
            var n = 0
            while let e = try next() {
                try core.restore(e)
                n += 1
            }
            guard n > 0 else { throw RestoreError("the log holds no events") }
            core.finishRestore(eventsRead: n)
            return n
        }
    }

    /// Every rung's entries (trial, value), by bracket and rung, sorted by trial: for checking that a
    /// resumed run's rungs are the uninterrupted run's.
    func rungContents() -> [[[RungEntry]]] {
        core.withLock { core in
            let s = core.scheduler
            return s.ladders.indices.map { b in
                s.ladders[b].indices.map { k in
                    s.rungEntries(bracket: b, rung: k).map { RungEntry(trial: $0.trial, value: $0.value) }
                        .sorted { $0.trial < $1.trial }
                }
            }
        }
    }

    /// The sequence number the next event will carry (a resumed run's goes on from its log).
    public var nextSeq: Int { core.withLock { $0.seq } }

    /// Whether this tuner continues a run restored from its log.
    public var isRestored: Bool { core.withLock { $0.restoredEvents > 0 } }

    /// Why the restored run had ended, if it had.
    public var restoredEndReason: EndReason? { core.withLock { $0.restoredEndReason } }

    /// Asks the tuner to do something; safe from any thread.
    public func send(_ command: Command) { backend.send(command) }

    /// Runs to the end and returns the summary (blocks the calling thread).
    public func run() -> RunSummary {
        backend.start()
        return waitUntilEnded()
    }

    /// Starts the run. On the Dispatch pool it returns at once (`waitUntilEnded()` waits for the end);
    /// the simulated clock runs the whole run first.
    public func start() { backend.start() }

    /// Waits until the run has ended.
    public func waitUntilEnded() -> RunSummary {
        backend.waitUntilEnded()
        return summary
    }

    /// The run's summary so far.
    public var summary: RunSummary { core.withLock { $0.summary() } }

    /// Why the run failed as a whole: too many trials failed in a row (`maxFailures`), or every trial
    /// failed; with the last failure's reason. Nil otherwise.
    public var failureStop: String? {
        core.withLock { core in
            let last = core.lastFailure ?? ""
            let trials = core.state.trials
            if core.isEnded, !core.stoppedByFailures, !trials.isEmpty, trials.allSatisfy({ $0.status == .failed }) {
                return "all \(trials.count) trials failed; the last: \(last)"
            }
            guard core.stoppedByFailures else { return nil }
            return "\(core.failuresInARow) trials failed in a row (budget.max_failures); the last: \(last)"
        }
    }

    /// The run's state so far (after `restore`, the state its log folds to).
    public var state: RunState { core.withLock { $0.state } }
}

/// Where a run's jobs execute and which clock stamps its events. The run's state is the tuner's
/// (`RunCore`, behind its lock); a backend asks it for work, runs the work, and reports back.
protocol RunBackend: Sendable {
    /// Starts the run: returns at once, or (the simulated clock) once the run has ended.
    func start()
    /// Blocks until the run has ended.
    func waitUntilEnded()
    /// Takes a command from any thread.
    func send(_ command: Command)
}
