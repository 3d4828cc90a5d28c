/// The occupancy of one rung of one bracket.
public struct RungStats: Equatable, Sendable {
    /// The rung's resource level.
    public var resource: Int
    /// Entries recorded at the rung (one per decision other than a promotion).
    public var reached = 0
    /// Trials promoted from the rung (promotion variant) or continued past it (stopping variant).
    public var promoted = 0
    /// Jobs currently training towards the rung.
    public var running = 0
    /// Trials waiting at the rung to be promoted (promotion variant).
    public var waiting = 0
    /// Trials stopped at the rung.
    public var stopped = 0
    /// Trials completed at the rung (top rung).
    public var completed = 0
    /// The cutoff of the latest decision at the rung.
    public var cutoff: Double?

    public init(resource: Int) { self.resource = resource }
}
