import ASHA

/// Where a `command` objective's trial processes run: here, as children of ashb-top, or on a Slurm
/// cluster, each as a job (or, inside an allocation, a job step) launched with `srun`.
public enum CommandExecutor: Sendable, Equatable, CustomStringConvertible {
    /// Child processes of ashb-top, each in its own process group (the default).
    case local
    /// `srun` launches on a Slurm cluster.
    case slurm(SlurmSettings)

    /// `local`, or `slurm` with the partition when one is set (for the dashboard's header).
    public var description: String {
        switch self {
        case .local: return "local"
        case .slurm(let s): return s.partition.map { "slurm:\($0)" } ?? "slurm"
        }
    }
}

/// The `executor:` section of a spec with `type: slurm`: what each trial's `srun` asks the cluster
/// for, and how ashb-top treats jobs that wait or fail for the cluster's reasons.
///
/// Every field is checked by the initialiser's validators (`SlurmSettings.check…`), so a value that
/// reaches `srun` is a single well-formed word.
public struct SlurmSettings: Sendable, Equatable {
    /// `--partition`; nil: the cluster's default partition.
    public var partition: String?
    /// `--time` per job, in one of Slurm's formats (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
    /// `D-HH:MM:SS`); nil: the partition's default.
    public var timeLimit: String?
    /// `--cpus-per-task`.
    public var cpusPerTask: Int?
    /// `--gpus-per-task`.
    public var gpusPerTask: Int?
    /// More `srun` options, passed as words (never through a shell).
    public var extraArgs: [String]
    /// Seconds a job may wait in the queue before the trial fails (its job is cancelled); nil: no limit.
    public var queueTimeout: Double?
    /// How many times a trial whose job ended for the cluster's reasons (node failure, preemption,
    /// time limit, cancelled by someone else) is launched again.
    public var maxRetries: Int

    /// The default number of retries.
    public static let defaultMaxRetries = 2

    /// Settings with every value checked; throws a message naming the field's spec key.
    public init(
        partition: String? = nil, timeLimit: String? = nil, cpusPerTask: Int? = nil, gpusPerTask: Int? = nil,
        extraArgs: [String] = [], queueTimeout: Double? = nil, maxRetries: Int = SlurmSettings.defaultMaxRetries
    ) throws(SlurmSettingsError) {
        if let partition { try Self.checkPartition(partition) }
        if let timeLimit { try Self.checkTimeLimit(timeLimit) }
        if let cpusPerTask, !(1...4096).contains(cpusPerTask) {
            throw SlurmSettingsError(key: "cpus_per_task", message: "must be from 1 to 4096")
        }
        if let gpusPerTask, !(0...64).contains(gpusPerTask) {
            throw SlurmSettingsError(key: "gpus_per_task", message: "must be from 0 to 64")
        }
        try Self.checkExtraArgs(extraArgs)
        if let queueTimeout, !(queueTimeout.isFinite && queueTimeout > 0) {
            throw SlurmSettingsError(key: "queue_timeout", message: "must be a positive number of seconds")
        }
        guard (0...100).contains(maxRetries) else {
            throw SlurmSettingsError(key: "max_retries", message: "must be from 0 to 100")
        }
        self.partition = partition
        self.timeLimit = timeLimit
        self.cpusPerTask = cpusPerTask
        self.gpusPerTask = gpusPerTask
        self.extraArgs = extraArgs
        self.queueTimeout = queueTimeout
        self.maxRetries = maxRetries
    }

    /// A partition name: letters, digits, `_`, `-`, `.`, at most 64 characters.
    public static func checkPartition(_ name: String) throws(SlurmSettingsError) {
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy(isNameCharacter) else {
            throw SlurmSettingsError(
                key: "partition", message: "must be a partition name (letters, digits, '_', '-', '.'; at most 64)")
        }
    }

    /// A time limit in one of Slurm's formats, or `UNLIMITED`/`INFINITE`.
    public static func checkTimeLimit(_ text: String) throws(SlurmSettingsError) {
        if ["UNLIMITED", "INFINITE"].contains(text.uppercased()) { return }
        let bad = SlurmSettingsError(
            key: "time_limit",
            message: "'\(printable(text))' is not a Slurm time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)")
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { throw bad }
        let clock = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false)
        let numbers = (dayParts.count == 2 ? [dayParts[0]] : []) + clock
        guard numbers.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isASCIIDigit) }) else { throw bad }
        guard clock.count <= 3 else { throw bad }
    }

    /// Options that ashb-top sets itself, or that would break the step-line protocol or the control of
    /// jobs, with what to do instead.
    static let reservedOptions: [(long: String, short: Character?, why: String)] = [
        ("--job-name", "J", "ashb-top names each job"),
        ("--output", "o", "the program's standard output is the step-line protocol"),
        ("--error", "e", "ashb-top reads the program's standard error"),
        ("--input", "i", "standard input is /dev/null"),
        ("--ntasks", "n", "a trial is one task"),
        ("--nodes", "N", "a trial is one task on one node"),
        ("--label", "l", "a prefix would break the step lines"),
        ("--unbuffered", "u", "ashb-top sets it"),
        ("--export", nil, "the program needs ASHB_CONFIG and the other ASHB_ variables"),
        ("--pty", nil, "the step lines need a pipe"),
        ("--multi-prog", nil, "a trial runs the objective's 'run' command"),
        ("--jobid", nil, "ashb-top launches in its own allocation (SLURM_JOB_ID) or a new job"),
        ("--partition", "p", "use the key 'partition'"),
        ("--time", "t", "use the key 'time_limit'"),
        ("--cpus-per-task", "c", "use the key 'cpus_per_task'"),
        ("--gpus-per-task", nil, "use the key 'gpus_per_task'"),
    ]

    /// `srun` options as words: each is printable, at most 200 characters; an option is `--name`,
    /// `--name=value`, `-x` or `-xvalue`; a word that does not start with `-` is the value of the
    /// option before it (which has no `=`). Options that ashb-top sets or that would break the protocol
    /// are refused.
    public static func checkExtraArgs(_ words: [String]) throws(SlurmSettingsError) {
        guard words.count <= 64 else { throw SlurmSettingsError(key: "extra_args", message: "at most 64 words") }
        var valueAllowed = false
        for (i, word) in words.enumerated() {
            let key = "extra_args[\(i)]"
            guard !word.isEmpty, word.count <= 200 else {
                throw SlurmSettingsError(key: key, message: "must be a word of 1 to 200 characters")
            }
            guard word.unicodeScalars.allSatisfy({ !isControl($0) }) else {
                throw SlurmSettingsError(key: key, message: "contains a control character")
            }
            guard word.hasPrefix("-") else {
                guard valueAllowed else {
                    throw SlurmSettingsError(
                        key: key,
                        message: "'\(printable(word))' is not an option (srun options start with '-'; "
                            + "the program comes from the objective's 'run')")
                }
                valueAllowed = false
                continue
            }
            guard word != "-", word != "--" else {
                throw SlurmSettingsError(key: key, message: "'\(word)' would end srun's options")
            }
            let isLong = word.hasPrefix("--")
            let name = isLong ? String(word.prefix { $0 != "=" }) : String(word.prefix(2))
            for reserved in reservedOptions {
                let hit = isLong ? (name == reserved.long) : (reserved.short.map { name == "-\($0)" } ?? false)
                if hit {
                    throw SlurmSettingsError(key: key, message: "'\(printable(name))' is not allowed: \(reserved.why)")
                }
            }
            if isLong {
                guard name.count > 2, name.dropFirst(2).unicodeScalars.allSatisfy(isNameCharacter) else {
                    throw SlurmSettingsError(key: key, message: "'\(printable(word))' is not a well-formed option")
                }
            }
            valueAllowed = isLong ? !word.contains("=") : word.count == 2
        }
    }

    private static func isNameCharacter(_ s: Unicode.Scalar) -> Bool {
        s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-" || s == ".")
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.properties.generalCategory == .control || s.value == 0x7F
    }

    /// `text` with control characters shown as `?`, for messages.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(80).map { isControl($0) ? "?" : $0 }))
    }
}

/// A bad value in the `executor:` section: the key (relative to `executor`, e.g. `time_limit` or
/// `extra_args[2]`) and what is wrong; `'key': message`.
public typealias SlurmSettingsError = NamedError<SlurmSettingKey>

/// What a `SlurmSettingsError` names: a key of the `executor:` section (the spec parser prefixes it).
public enum SlurmSettingKey: ErrorSubject { public static let noun = "" }

extension NamedError where Subject == SlurmSettingKey {
    /// An error about the key `key`.
    public init(key: String, message: String) { self.init(name: key, message: message) }

    /// The key at fault.
    public var key: String { name }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
