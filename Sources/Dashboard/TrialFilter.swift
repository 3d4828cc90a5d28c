import ASHA
import RunLog

/// The trials list's filter: a small language of space-separated terms, all of which must hold.
///
/// - `status:running` (also `status:run,paused`; a status name or its first letters),
/// - `rung>=3`, `bracket:1`, `r<27`, `id:3855`, `metric<0.2` (the metric's own name works too),
/// - a hyperparameter: `lr<0.01`, `batch_size:64`, `optimizer:adam`,
/// - comparisons `:` or `=` (equal), `!=`, `<`, `<=`, `>`, `>=`,
/// - any other word: a substring of the trial's configuration text (`adam`, `lr=0.01`), or its id.
///
/// `parse` names what it cannot read; `matches` costs a few comparisons per term and trial.
public struct TrialFilter: Sendable, Equatable {
    /// A field a term compares.
    enum Field: Sendable, Equatable {
        case id, rung, bracket, resource, metric
        /// A hyperparameter: its name, and its position in the search space (where it usually is).
        case parameter(String, Int)
    }

    /// A comparison.
    enum Op: String, Sendable, Equatable {
        case eq = "="
        case ne = "!="
        case lt = "<"
        case le = "<="
        case gt = ">"
        case ge = ">="

        func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .eq: return a == b
            case .ne: return a != b
            case .lt: return a < b
            case .le: return a <= b
            case .gt: return a > b
            case .ge: return a >= b
            }
        }
    }

    /// One term of the filter.
    enum Term: Sendable, Equatable {
        case compare(Field, Op, Double)
        /// Status in the set (by `TrialStatus.order`), or not in it.
        case status(Set<Int>, negated: Bool)
        /// A categorical hyperparameter equal (or not) to a text.
        case text(name: String, index: Int, value: String, negated: Bool)
        /// A substring of the configuration text (lower case), or the trial's id, or the start of the
        /// status's name (`statuses[order]`: the statuses whose name starts with the word).
        case word([UInt8], id: Int?, statuses: [Bool])
    }

    /// The terms; an empty filter matches every trial.
    let terms: [Term]
    /// The text it was parsed from (trimmed).
    public let source: String

    /// The filter that matches every trial.
    public static let all = TrialFilter(terms: [], source: "")

    init(terms: [Term], source: String) {
        self.terms = terms
        self.source = source
    }

    /// True when the filter matches every trial.
    public var isEmpty: Bool { terms.isEmpty }

    /// The field names the language knows besides the hyperparameters.
    public static let fieldNames = ["status", "id", "rung", "bracket", "r", "metric"]

    /// Parses `text` against the run's hyperparameter and metric names; the error names the term
    /// that cannot be read and what would be accepted.
    public static func parse(_ text: String, parameters: [String], metric: String) -> Result<TrialFilter, FilterError> {
        var terms: [Term] = []
        for token in text.split(separator: " ") {
            switch parseTerm(String(token), parameters: parameters, metric: metric) {
            case .success(let term): terms.append(term)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(TrialFilter(terms: terms, source: text.split(separator: " ").joined(separator: " ")))
    }

    private static func parseTerm(_ token: String, parameters: [String], metric: String) -> Result<Term, FilterError> {
        let chars = Array(token)
        guard let opStart = chars.firstIndex(where: { ":=<>!".contains($0) }), opStart > 0 else {
            if chars.first.map({ ":=<>!".contains($0) }) ?? false {
                return .failure(FilterError(term: token, problem: "a field name must come before \(chars[0])"))
            }
            let lower = token.lowercased()
            let id = Int(lower.hasPrefix("#") ? String(lower.dropFirst()) : lower)
            let needle = Array(lower.utf8)
            var statuses = [Bool](repeating: false, count: TrialStatus.allCases.count)
            for status in TrialStatus.allCases where status.name.utf8.starts(with: needle) {
                statuses[status.order] = true
            }
            return .success(.word(needle, id: id, statuses: statuses))
        }
        var opEnd = opStart + 1
        if opEnd < chars.count, chars[opEnd] == "=", chars[opStart] != ":", chars[opStart] != "=" { opEnd += 1 }
        let name = String(chars[..<opStart])
        let opText = String(chars[opStart..<opEnd])
        let value = String(chars[opEnd...])
        let op: Op
        switch opText {
        case ":", "=": op = .eq
        case "!=": op = .ne
        case "<": op = .lt
        case "<=": op = .le
        case ">": op = .gt
        case ">=": op = .ge
        default:
            return .failure(FilterError(term: token, problem: "'\(opText)' is not a comparison (: = != < <= > >=)"))
        }
        guard !value.isEmpty else {
            return .failure(FilterError(term: token, problem: "a value must follow \(opText)"))
        }
        let lowerName = name.lowercased()
        if lowerName == "status" || lowerName == "s" {
            guard op == .eq || op == .ne else {
                return .failure(FilterError(term: token, problem: "status takes : or != (status:running)"))
            }
            var set = Set<Int>()
            for word in value.lowercased().split(separator: ",") {
                let matching = TrialStatus.displayOrder.filter {
                    $0.name.hasPrefix(word) || $0.shortName == word || (word == "not-promoted" && $0 == .waiting)
                }
                guard !matching.isEmpty else {
                    let names = TrialStatus.displayOrder.map(\.name).joined(separator: " ")
                    return .failure(FilterError(term: token, problem: "no status '\(word)' (\(names))"))
                }
                for s in matching { set.insert(s.order) }
            }
            return .success(.status(set, negated: op == .ne))
        }
        let field: Field
        switch lowerName {
        case "id", "trial": field = .id
        case "rung": field = .rung
        case "bracket", "b": field = .bracket
        case "r", "resource": field = .resource
        case "metric", "value", metric.lowercased(): field = .metric
        default:
            guard let index = parameters.firstIndex(where: { $0.lowercased() == lowerName }) else {
                let known = (fieldNames + parameters).joined(separator: " ")
                return .failure(FilterError(term: token, problem: "no field '\(name)' (\(known))"))
            }
            field = .parameter(parameters[index], index)
        }
        if let number = Double(value), !number.isNaN {
            return .success(.compare(field, op, number))
        }
        if case .parameter(let p, let index) = field, op == .eq || op == .ne {
            return .success(.text(name: p, index: index, value: value, negated: op == .ne))
        }
        return .failure(FilterError(term: token, problem: "'\(value)' is not a number"))
    }

    /// True when every trial this filter lets through passes `old` too: `old`'s terms come first, each
    /// the same or a word typed further (`ad` then `adam`; not a trial id, which matches otherwise).
    func narrows(_ old: TrialFilter) -> Bool {
        guard terms.count >= old.terms.count else { return false }
        for (new, was) in zip(terms, old.terms) where new != was {
            guard case .word(let a, let id, _) = new, case .word(let b, _, _) = was, id == nil, a.starts(with: b)
            else {
                return false
            }
        }
        return true
    }

    /// Whether `trial` passes every term.
    /// Reads the trial in place (a copy of a `TrialRecord` costs more than the comparisons).
    func matches(_ trial: UnsafePointer<TrialRecord>) -> Bool {
        for term in terms where !Self.holds(term, trial) { return false }
        return true
    }

    private static func holds(_ term: Term, _ trial: UnsafePointer<TrialRecord>) -> Bool {
        switch term {
        case .status(let set, let negated):
            return set.contains(trial.pointee.status.order) != negated
        case .word(let needle, let id, let statuses):
            if let id, trial.pointee.id == id { return true }
            if statuses[trial.pointee.status.order] { return true }
            return ConfigSearch.contains(trial.pointee.storedConfig, needle)
        case .compare(let field, let op, let x):
            let v: Double?
            switch field {
            case .id: v = Double(trial.pointee.id)
            case .rung: v = trial.pointee.highestRung.map(Double.init)
            case .bracket: v = Double(trial.pointee.bracket)
            case .resource: v = Double(trial.pointee.resource)
            case .metric: v = trial.pointee.lastMetric
            case .parameter(let name, let index):
                v = trial.pointee.storedConfig.value(named: name, at: index)?.doubleValue
            }
            guard let v else { return op == .ne }
            return op.holds(v, x)
        case .text(let name, let index, let value, let negated):
            guard case .string(let s)? = trial.pointee.storedConfig.value(named: name, at: index) else {
                return negated
            }
            return (s == value) != negated
        }
    }
}

/// What the filter could not read: the term, and why.
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The term as typed.
    public var term: String
    /// What is wrong with it.
    public var problem: String

    /// "filter 'rung>>3': ..."
    public var description: String { "'\(term)': \(problem)" }
}
