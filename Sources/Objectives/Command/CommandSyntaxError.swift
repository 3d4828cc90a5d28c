/// Why a command line could not be split into words, or an output line could not be read as a step.
struct CommandSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong (without naming the option or the line, which the caller adds).
    var description: String

    init(_ description: String) { self.description = description }
}
