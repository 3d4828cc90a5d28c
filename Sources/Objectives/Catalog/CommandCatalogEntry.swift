import ASHA

extension ObjectiveCatalog {
    /// The `command` objective: your own training program, one process per trial.
    static let commandEntry = Entry(
        name: "command",
        summary: "runs your training program per trial: config in $ASHB_CONFIG, one JSON line per step on stdout",
        metric: "loss",
        options: [
            OptionSpec(
                key: "run", kind: .string, defaultValue: nil,
                summary: "the command line (shell-like words, quotes and backslashes; no variables, globs or pipes)"),
            OptionSpec(key: "metric", kind: .string, defaultValue: .string("loss"), summary: "the metric's name"),
            OptionSpec(key: "goal", kind: .string, defaultValue: .string("minimize"), summary: "minimize or maximize"),
            OptionSpec(
                key: "max_resource", kind: .int, defaultValue: .int(81),
                summary: "the resource the program trains to (ASHB_MAX_RESOURCE)"),
            OptionSpec(
                key: "grace_seconds", kind: .double, defaultValue: .double(5),
                summary: "seconds between SIGTERM and SIGKILL when a trial's process group is terminated"),
            OptionSpec(
                key: "stop_between_steps", kind: .bool, defaultValue: .bool(true),
                summary: "SIGSTOP the process group while the tuner does not want its next step"),
            OptionSpec(
                key: "checkpoint", kind: .bool, defaultValue: .bool(false),
                summary:
                    "the program saves to $ASHB_CHECKPOINT_DIR and is ended between jobs; a new process continues from it"
            ),
            OptionSpec(
                key: "keep_checkpoints", kind: .string, defaultValue: .string("best"),
                summary: "checkpoint directories kept at the end: best (the best trial's), all, or none"),
        ],
        build: { options, baseDirectory in
            guard let goal = Goal(rawValue: options.string("goal")) else {
                throw ObjectiveError(
                    "command: option 'goal' must be minimize or maximize, got \(options.string("goal"))")
            }
            guard let keep = KeepCheckpoints(rawValue: options.string("keep_checkpoints")) else {
                throw ObjectiveError(
                    "command: option 'keep_checkpoints' must be best, all or none, got \(options.string("keep_checkpoints"))"
                )
            }
            var objective = try CommandObjective(
                run: options.string("run"), metric: options.string("metric"), goal: goal,
                maxResource: options.int("max_resource", in: 1...1_000_000_000),
                graceSeconds: options.double("grace_seconds", in: 0...3600),
                stopBetweenSteps: options.bool("stop_between_steps"), checkpoint: options.bool("checkpoint"),
                baseDirectory: baseDirectory)
            objective.keepCheckpoints = keep
            return objective
        }
    )
}
