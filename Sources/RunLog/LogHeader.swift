/// The first line of every run log: what wrote it and the experiment it records.
public struct LogHeader: Sendable, Equatable {
    /// The log schema version this program writes; a reader refuses newer versions. Version 2 lines carry
    /// no `seq` (an event's number is its place in the log) and a wall-clock log's `t` is rounded to the
    /// microsecond; version 1 lines carry their `seq`, and `t` in full. Both are read.
    public static let currentVersion = 2

    /// The schema version of the log.
    public var version: Int
    /// The program and version that wrote it, e.g. "ashb-top 0.1.0".
    public var program: String
    /// The experiment spec (YAML text) the run was started with.
    public var spec: String
    /// The run's seed.
    public var seed: UInt64
    /// Whether the run used the simulated clock (the spec's `clock`, or `run --simulate`).
    public var simulated: Bool
    /// The directory the spec's relative paths resolve against (the spec file's), if any.
    public var baseDirectory: String?

    public init(
        version: Int = LogHeader.currentVersion, program: String, spec: String, seed: UInt64, simulated: Bool = false,
        baseDirectory: String? = nil
    ) {
        self.version = version
        self.program = program
        self.spec = spec
        self.seed = seed
        self.simulated = simulated
        self.baseDirectory = baseDirectory
    }

    /// How the log's event lines are written: version 1's with `seq`; later ones without, and a wall-clock
    /// run's times to the microsecond (a simulated clock's times are kept whole: a resumed simulated run
    /// goes on from them and must log what the uninterrupted run logged).
    public var lineFormat: EventLineFormat {
        .of(version: version, simulated: simulated)
    }

    /// The header as one JSON line (no newline).
    public func encoded() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.member("ashb_log", version)
        w.member("program", program)
        w.member("seed", String(seed))
        w.member("clock", simulated ? "simulated" : "wall")
        w.member("base_directory", baseDirectory)
        w.member("spec", spec)
        w.endObject()
        return w.bytes
    }

    /// Reads a header line; throws a message when it is not one.
    public static func decode(_ v: JSONValue) throws(SchemaError) -> LogHeader {
        let o = Fields(v)
        guard case .number(_, let version?)? = v["ashb_log"] else {
            throw SchemaError("the first line is not an ashb-top log header (no 'ashb_log' version)")
        }
        if version > currentVersion {
            throw SchemaError(
                "the log was written with schema version \(version), newer than this program reads "
                    + "(\(currentVersion)); use a newer ashb-top")
        }
        guard let seed = UInt64(try o.string("seed")) else { throw SchemaError("'seed' must be an unsigned integer") }
        let clock = v["clock"] == nil ? "wall" : try o.string("clock")
        guard clock == "wall" || clock == "simulated" else { throw SchemaError("'clock' must be wall or simulated") }
        var base: String?
        if case .string(let b)? = v["base_directory"] { base = b }
        return LogHeader(
            version: version, program: try o.string("program"), spec: try o.string("spec"), seed: seed,
            simulated: clock == "simulated", baseDirectory: base)
    }
}
