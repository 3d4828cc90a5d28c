import ASHA

/// A hyperparameter an objective reads, and the values it accepts. One rule serves the trial (reading a
/// configuration, `HyperparameterReader`) and the spec (every value a search space can give it, checked
/// before anything starts: `check(_:rules:objective:)`), so the two cannot disagree.
struct HyperparameterRule: Sendable {
    /// What the values must be.
    enum Kind: Sendable {
        /// A real number (an integer is accepted) for which `valid` holds; `rule` says so in words ("in [0, 1)").
        case real(valid: @Sendable (Double) -> Bool, rule: String)
        /// An integer (an integral double is accepted) for which `valid` holds.
        case integer(valid: @Sendable (Int) -> Bool, rule: String)
        /// One of these strings.
        case choice([String])
    }

    /// The name the configuration holds it under.
    let name: String
    let kind: Kind
    /// The value a configuration without it gets; nil: the space must give it.
    let fallback: ParameterValue?

    init(_ name: String, _ kind: Kind, default fallback: ParameterValue?) {
        self.name = name
        self.kind = kind
        self.fallback = fallback
    }

    /// The space must give it.
    var required: Bool { fallback == nil }

    /// One line for `ashb-top objectives`: "activation: one of relu, tanh (default relu)".
    var summary: String {
        "\(name): \(allowed) (" + (fallback.map { "default \($0.description)" } ?? "required") + ")"
    }

    /// What the values must be, in words: "a number in [0, 1)", "one of relu, tanh".
    var allowed: String {
        switch kind {
        case .real(_, let rule): return "a number \(rule)"
        case .integer(_, let rule): return "an integer \(rule)"
        case .choice(let values): return "one of \(values.joined(separator: ", "))"
        }
    }

    /// Why `value` is refused, or nil when it is accepted.
    func problem(_ value: ParameterValue) -> String? {
        switch kind {
        case .real(let valid, _):
            guard let d = value.realValue else { return "\(value.typedDescription) is not a number" }
            return d.isFinite && valid(d) ? nil : "\(formatShort(d)) is out of range"
        case .integer(let valid, _):
            guard let i = value.integerValue else { return "\(value.typedDescription) is not an integer" }
            return valid(i) ? nil : "\(i) is out of range"
        case .choice(let values):
            guard let s = value.stringValue else { return "\(value.typedDescription) is not a string" }
            return values.contains(s) ? nil : "'\(s)' is not allowed"
        }
    }

    /// Why the search space's `domain` can give a value this rule refuses, or nil. Ranges are checked at
    /// both ends (every accepted set is an interval); choices and constants value by value.
    func problem(_ domain: Domain) -> String? {
        switch domain {
        case .constant(let value):
            return problem(value)
        case .choice(let values):
            return values.lazy.compactMap { problem($0) }.first
        case .int(let low, let high), .logInt(let low, let high):
            return problem(.int(low)) ?? problem(.int(high))
        case .uniform(let low, let high, let step), .logUniform(let low, let high, let step):
            if case .integer = kind {
                // A grid of integers (an integral low and step) gives integers; anything else gives fractions.
                guard let step, step == step.rounded(), low == low.rounded() else {
                    return "a real range gives numbers that are not integers (use type int or logint)"
                }
            }
            if case .choice = kind { return problem(.double(low)) }
            return problem(.double(low)).map { "low \($0)" } ?? problem(.double(high)).map { "high \($0)" }
        }
    }

    /// Checks that `space` names only hyperparameters the rules read (a misspelt name would otherwise be
    /// searched for nothing while its rule took its default), that every value it can give is one the
    /// rules accept, and that it gives each required hyperparameter. The error names the parameter, the
    /// value at fault and what is allowed.
    static func check(_ space: SearchSpace, rules: [HyperparameterRule], objective: String) throws(SpaceParameterError)
    {
        let names = rules.map(\.name)
        try SpaceParameterError.checkNames(space, known: names) { name, hint in
            "\(objective) has no hyperparameter '\(name)'\(hint); it reads \(names.joined(separator: ", "))"
        }
        for rule in rules {
            guard let parameter = space.parameters.first(where: { $0.name == rule.name }) else {
                guard rule.required else { continue }
                throw SpaceParameterError(
                    parameter: rule.name, isMissing: true,
                    message: "\(objective) needs hyperparameter '\(rule.name)' (\(rule.allowed)); the space lacks it")
            }
            if let problem = rule.problem(parameter.domain) {
                throw SpaceParameterError(
                    parameter: rule.name, isMissing: false,
                    message: "\(objective): \(problem); '\(rule.name)' must be \(rule.allowed)")
            }
        }
    }
}

extension SpaceParameterError {
    /// Throws, for the first parameter of `space` whose name is not in `known`, the error `message` words
    /// from that name and a hint naming the nearest known name (" (did you mean 'lr'?)", or "").
    static func checkNames(
        _ space: SearchSpace, known: [String], message: (_ name: String, _ hint: String) -> String
    ) throws(SpaceParameterError) {
        for parameter in space.parameters where !known.contains(parameter.name) {
            throw SpaceParameterError(
                parameter: parameter.name, isMissing: false, isUnknown: true,
                message: message(parameter.name, didYouMean(parameter.name, among: known)))
        }
    }
}

/// " (did you mean 'lr'?)" when a name in `names` is near `name` (see `closest(to:among:)`), else "": the
/// hint every unknown-name error carries.
public func didYouMean(_ name: String, among names: [String]) -> String {
    closest(to: name, among: names).map { " (did you mean '\($0)'?)" } ?? ""
}

/// The name in `names` nearest `name` by edit distance (case ignored; two neighbouring letters swapped
/// count as one edit), if it is near: at most a third of the longer name's letters differ.
public func closest(to name: String, among names: [String]) -> String? {
    let a = Array(name.lowercased().unicodeScalars)
    var best: (name: String, distance: Int)?
    for candidate in names {
        let b = Array(candidate.lowercased().unicodeScalars)
        // Levenshtein distance with transpositions (optimal string alignment), one row at a time:
        // `previous` is row i - 1, `before` row i - 2.
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1..<(a.count + 1) {
            var row = previous
            row[0] = i
            for j in 1..<(b.count + 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previous[j - 1] + cost, previous[j] + 1, row[j - 1] + 1)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { row[j] = min(row[j], before[j - 2] + 1) }
            }
            before = previous
            previous = row
        }
        let d = previous[b.count]
        if d * 3 <= max(a.count, b.count), d < (best?.distance ?? .max) { best = (candidate, d) }
    }
    return best?.name
}

/// A search space that gives a hyperparameter a value its objective refuses (every trial would fail), or
/// lacks one the objective needs: a spec error, raised before anything starts.
public struct SpaceParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The hyperparameter at fault (the space's key).
    public var parameter: String
    /// True when the space lacks it (the error then points at `space` itself).
    public var isMissing: Bool
    /// True when the objective reads no hyperparameter of that name.
    public var isUnknown = false
    /// The whole message: the objective, the value at fault and what is allowed.
    public var message: String

    /// The message.
    public var description: String { message }
}
