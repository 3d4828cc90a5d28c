/// The rung resources of one bracket, computed with integers only (no `log`).
///
/// The rungs are `r·η^(s+k)` for k = 0, 1, ... while that is below `R`, then `R` itself as the top
/// rung (so the top rung is clamped to `R` even when `R` is not `r` times a power of η). When
/// `r·η^s ≥ R` the ladder is `[R]`: a single rung, every trial trains to `R`.
///
/// Examples: r = 1, R = 81, η = 3, s = 0 → [1, 3, 9, 27, 81]; R = 100 → [1, 3, 9, 27, 81, 100];
/// s = 1 → [3, 9, 27, 81].
///
/// - Throws: `SchedulerError` when r < 1, R < r, η < 2 or s < 0.
public func rungLadder(
    minResource: Int, maxResource: Int, reductionFactor: Int, minEarlyStoppingRate: Int
) throws(SchedulerError) -> [Int] {
    let r = minResource
    let bigR = maxResource
    let eta = reductionFactor
    let s = minEarlyStoppingRate
    guard r >= 1 else { throw SchedulerError(field: "minResource", message: "must be at least 1 (got \(r))") }
    guard bigR >= r else {
        throw SchedulerError(field: "maxResource", message: "must be at least minResource \(r) (got \(bigR))")
    }
    guard eta >= 2 else { throw SchedulerError(field: "reductionFactor", message: "must be at least 2 (got \(eta))") }
    guard s >= 0 else {
        throw SchedulerError(field: "minEarlyStoppingRate", message: "must not be negative (got \(s))")
    }
    var level = r
    var overflow = false
    var k = 0
    while k < s && !overflow {  // stops within 63 steps: η ≥ 2 overflows by then
        let (next, o) = level.multipliedReportingOverflow(by: eta)
        level = next
        overflow = o
        k += 1
    }
    var ladder: [Int] = []
    while !overflow && level < bigR {
        ladder.append(level)
        let (next, o) = level.multipliedReportingOverflow(by: eta)
        level = next
        overflow = o
    }
    ladder.append(bigR)
    return ladder
}
