/// A trial whose whole state is the resource it reached (its values are a function of its
/// configuration, seed and resource): its checkpoint is that resource under the trial's tag.
protocol ResourceCheckpointing: ObjectiveTrial {
    /// The checkpoint's tag, with its format version.
    static var tag: String { get }
    var resource: Int { get set }
}

extension ResourceCheckpointing {
    func checkpoint() -> [UInt8]? {
        var writer = CheckpointWriter(tag: Self.tag)
        writer.append(resource)
        return writer.bytes
    }

    /// Continues from a `checkpoint()` of `objective`'s trial: returns this trial at the resource it holds.
    func restored(from checkpoint: [UInt8], objective: String) throws -> Self {
        var reader = try CheckpointReader(checkpoint, tag: Self.tag, objective: objective)
        let resource = try reader.readInt()
        try reader.finish()
        guard resource >= 0 else { throw reader.corrupt("negative resource") }
        self.resource = resource
        return self
    }
}
