import ASHA
import Testing

@Suite("Rung ladder")
struct RungLadderTests {
    @Test(
        arguments: [
            (1, 81, 3, 0, [1, 3, 9, 27, 81]),
            (1, 243, 3, 0, [1, 3, 9, 27, 81, 243]),
            (1, 100, 3, 0, [1, 3, 9, 27, 81, 100]),
            (1, 81, 3, 1, [3, 9, 27, 81]),
            (1, 81, 3, 4, [81]),
            (1, 81, 3, 9, [81]),
            (2, 100, 4, 0, [2, 8, 32, 100]),
            (5, 5, 2, 0, [5]),
            (1, 1 << 62, 2, 70, [1 << 62]),
            (1, 81, 3, Int.max, [81]),
            (1, Int.max, 1 << 32, 0, [1, 1 << 32, Int.max]),
        ])
    func ladder(r: Int, bigR: Int, eta: Int, s: Int, expected: [Int]) throws {
        let ladder = try rungLadder(
            minResource: r, maxResource: bigR, reductionFactor: eta, minEarlyStoppingRate: s)
        #expect(ladder == expected)
    }

    @Test(
        arguments: [
            (0, 81, 3, 0, "minResource"),
            (10, 9, 3, 0, "maxResource"),
            (1, 81, 1, 0, "reductionFactor"),
            (1, 81, 3, -1, "minEarlyStoppingRate"),
        ])
    func invalidSettingsNameTheField(r: Int, bigR: Int, eta: Int, s: Int, field: String) {
        #expect {
            try rungLadder(minResource: r, maxResource: bigR, reductionFactor: eta, minEarlyStoppingRate: s)
        } throws: { error in
            (error as? SchedulerError)?.name == field
                && (error as? SchedulerError)?.description.hasPrefix("setting '\(field)'") == true
        }
    }

    @Test func schedulerValidatesBracketsAndBudgets() throws {
        let space = try SearchSpace([])
        let ok = try ASHAScheduler(space: space, settings: SchedulerSettings(brackets: 5))
        #expect(ok.ladders == [[1, 3, 9, 27, 81], [3, 9, 27, 81], [9, 27, 81], [27, 81], [81]])
        for (settings, field) in [
            (SchedulerSettings(brackets: 6), "brackets"),
            (SchedulerSettings(brackets: 0), "brackets"),
            (SchedulerSettings(maxTrials: -1), "maxTrials"),
            (SchedulerSettings(maxTotalResource: -5), "maxTotalResource"),
            (SchedulerSettings(reductionFactor: 0), "reductionFactor"),
        ] {
            #expect {
                try ASHAScheduler(space: space, settings: settings)
            } throws: { error in
                (error as? SchedulerError)?.name == field
            }
        }
    }
}
