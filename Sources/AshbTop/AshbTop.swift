import ArgumentParser

/// The program's version, recorded in every run log.
public let programVersion = "ashb-top 0.1.0"

/// `ashb-top`: tune hyperparameters with asynchronous Hyperband and watch it live.
public struct AshbTopCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ashb-top",
        abstract: "Tune hyperparameters with asynchronous Hyperband (ASHA) and watch the run live.",
        discussion: """
            With no arguments, runs the built-in demo: a small neural network on the handwritten-digits data, \
            tuned by promotion-based ASHA on 4 workers for up to 3 minutes, shown on the live dashboard (or \
            as progress lines when standard output is not a terminal).
            """,
        version: programVersion,
        subcommands: [
            RunCommand.self, ResumeCommand.self, AttachCommand.self, ListCommand.self, ReplayCommand.self,
            ExportCommand.self, ObjectivesCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    public init() {}
}
