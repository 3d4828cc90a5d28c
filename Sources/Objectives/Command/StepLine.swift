import Foundation

/// One line a command writes to standard output per step: a JSON object with an integer
/// `resource`, a number `value` (`NaN`, `Infinity`, `-Infinity` or those names as strings are
/// accepted, and make the tuner fail the trial) and optionally `seconds` (finite, ≥ 0: the step's
/// cost for the simulated clock). Other keys are ignored. JSON5 is accepted (Python's `json.dumps`
/// writes `NaN` bare).
struct StepLine: Decodable, Equatable {
    var resource: Int
    var value: Double
    var seconds: Double?

    /// Parses `bytes`; the error says what is wrong, without naming the line.
    static func parse(_ bytes: [UInt8]) throws(CommandSyntaxError) -> StepLine {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let line: StepLine
        do {
            line = try decoder.decode(StepLine.self, from: Data(bytes))
        } catch DecodingError.keyNotFound(let key, _) {
            throw CommandSyntaxError("it lacks \"\(key.stringValue)\"")
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            let key = context.codingPath[0].stringValue
            throw CommandSyntaxError("\"\(key)\" must be \(key == "resource" ? "an integer" : "a number")")
        } catch DecodingError.valueNotFound(_, let context) where !context.codingPath.isEmpty {
            let key = context.codingPath[0].stringValue
            throw CommandSyntaxError("\"\(key)\" must be \(key == "resource" ? "an integer" : "a number"), not null")
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw CommandSyntaxError("\"\(context.codingPath[0].stringValue)\" is not a valid number")
        } catch {
            throw CommandSyntaxError("it is not a JSON object")
        }
        if let s = line.seconds, !(s.isFinite && s >= 0) {
            throw CommandSyntaxError("\"seconds\" must be a finite number ≥ 0")
        }
        return line
    }
}
