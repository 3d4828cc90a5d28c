/// Anything that receives a run's events as the tuner records them: the log writer, a dashboard's
/// inbox, a headless progress printer. `receive` is called from the tuner's state queue, in event
/// order, and must return quickly (queue the event, never block a worker for long).
public protocol EventSink: Sendable {
    func receive(_ event: RunEvent)
}

/// A sink that reads the run's state at each event, such as the headless printer: the tuner lends it
/// its own fold (`RunState.apply`, already applied to `event`) for the call, so that the sink need not
/// fold every event a second time. Only `receive(_:folded:)` is called on a sink the tuner lends its
/// fold to; `receive(_:)` serves events that come without one (a replay, a test). A sink must not keep
/// `state`: a copy would make the tuner's next change copy its arrays.
public protocol FoldReadingSink: EventSink {
    func receive(_ event: RunEvent, folded state: borrowing RunState)
}
