/// What the header and footer show about a replay: the replay clock, the position in the log, the
/// speed, whether it plays.
public struct ReplayStatus: Equatable, Sendable {
    /// The replay clock (seconds since the run started).
    public var clock: Double
    /// The time of the last event read.
    public var duration: Double
    /// Events applied.
    public var position: Int
    /// Events read.
    public var count: Int
    /// True while playing.
    public var playing: Bool
    /// The speed as shown ("×4", "×0.25", "max").
    public var speed: String
    /// True while more of the log is still being read (or followed).
    public var loading: Bool
    /// True when following a log that is still being written (`--follow`).
    public var following: Bool

    /// A status with every field given.
    public init(
        clock: Double, duration: Double, position: Int, count: Int, playing: Bool, speed: String, loading: Bool,
        following: Bool = false
    ) {
        self.clock = clock
        self.duration = duration
        self.position = position
        self.count = count
        self.playing = playing
        self.speed = speed
        self.loading = loading
        self.following = following
    }
}
