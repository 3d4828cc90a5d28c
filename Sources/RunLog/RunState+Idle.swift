extension RunState {
    /// The run waits on the user alone: it is live and not paused as a whole, no job runs and none is owed
    /// to a trial, and some trials are paused (`p`). Nothing happens until one is resumed, the run is
    /// stopped, or its time budget ends (with none, it waits for ever). The tuner only waits like this when
    /// there is nothing else to do (with work left to sample, the free workers would take it), so every
    /// trial that could still train is one the user paused.
    ///
    /// A moment between one job's end and the next one's start looks the same in the events: a view says
    /// so only once the state has lasted (`isIdleOnPausedTrials(now:)`).
    public var waitsOnPausedTrials: Bool {
        // The counts first: the headless printer asks at every event, and while jobs run they answer
        // alone (`info != nil` copied the whole `RunInfo`, 4 % of a simulated run's time).
        runningJobs == 0 && count(.queued) == 0 && count(.paused) > 0 && !runPaused && !isEnded && info != nil
    }

    /// Seconds of run time without an event after which `waitsOnPausedTrials` is the run's state, not the
    /// moment between two jobs.
    public static let idleAfterSeconds = 1.0

    /// `waitsOnPausedTrials`, and no event came for `idleAfterSeconds` of run time by `now` (the view's
    /// estimate of the run's time).
    public func isIdleOnPausedTrials(now: Double) -> Bool {
        waitsOnPausedTrials && now - time >= Self.idleAfterSeconds
    }
}
