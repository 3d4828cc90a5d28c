import ArgumentParser

/// The options `run` and `resume` share on how a run is shown.
struct DisplayFlags: ParsableArguments {
    @Flag(help: "Print progress lines and a summary instead of the dashboard.")
    var headless = false

    @Flag(help: "Draw the dashboard with ASCII characters only.")
    var ascii = false

    @Flag(help: "Draw the dashboard without colours (also honoured: the NO_COLOR environment variable).")
    var noColor = false

    @Option(help: "Headless: seconds between progress lines (0: none).")
    var progressEvery: Double = 10

    func validate() throws {
        if !(progressEvery >= 0 && progressEvery.isFinite) {
            throw ValidationError("--progress-every must be a number of seconds, 0 or more (got \(progressEvery))")
        }
    }

    /// How to show a run; one on the simulated clock is always headless.
    func options(simulated: Bool) -> DisplayOptions {
        DisplayOptions(
            headless: headless || simulated, ascii: ascii, noColor: noColor, progressEvery: progressEvery,
            simulated: simulated)
    }
}
