/// Anything that receives a run's events as the tuner records them: the log writer, a dashboard's
/// inbox, a headless progress printer. `receive` is called from the tuner's state queue, in event
/// order, and must return quickly (queue the event, never block a worker for long).
public protocol EventSink: Sendable {
    func receive(_ event: RunEvent)
}
