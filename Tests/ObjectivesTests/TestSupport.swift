import ASHA
import Objectives

/// A configuration from name–value pairs, in order.
func config(_ pairs: KeyValuePairs<String, ParameterValue>) -> Configuration {
    Configuration(pairs.map { Configuration.Entry(name: $0.key, value: $0.value) })
}

/// A configuration of real coordinates named x1, x2, …
func point(_ x: [Double]) -> Configuration {
    Configuration(x.enumerated().map { Configuration.Entry(name: "x\($0.offset + 1)", value: .double($0.element)) })
}

/// The steps of `trial` until it reaches `resource`.
func run(_ trial: any ObjectiveTrial, to resource: Int) throws -> [Step] {
    var steps: [Step] = []
    while trial.resource < resource { steps.append(try trial.step()) }
    return steps
}

/// The error `body` throws, as an `ObjectiveError` message (empty if it threw nothing or another type).
func message(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch let error as ObjectiveError {
        return error.message
    } catch {
        return ""
    }
}
