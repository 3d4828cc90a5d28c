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
            OptionSpec("metric", default: .string("loss"), "the metric's name"),
            OptionSpec("goal", default: .string("minimize"), "minimize or maximize"),
            OptionSpec("max_resource", default: .int(81), "the resource the program trains to (ASHB_MAX_RESOURCE)"),
            OptionSpec(
                "grace_seconds", default: .double(5),
                "seconds between SIGTERM and SIGKILL when a trial's process group is terminated"),
            OptionSpec(
                "stop_between_steps", default: .bool(true),
                "SIGSTOP the process group while the tuner does not want its next step"),
            OptionSpec(
                "checkpoint", default: .bool(false),
                "the program saves to $ASHB_CHECKPOINT_DIR and is ended between jobs; a new process continues from it"),
            OptionSpec(
                "keep_checkpoints", default: .string("best"),
                "checkpoint directories kept at the end: best (the best trial's), all, or none"),
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
