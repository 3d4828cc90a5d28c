import ASHA
import RunLog

extension DashboardModel {
    /// About the bytes this model holds that `other` (another copy of the same history, e.g. the next
    /// replay snapshot) does not share with it: the chunks of its tables that differ at the same place
    /// (written to in one of the two since the copy, or not in `other`), the pages of chunk references
    /// that differ likewise, a reference per page, and the
    /// small tables copied whole. What the records point to (configurations, texts) is shared by the
    /// copies and not counted.
    public func bytesNotShared(with other: DashboardModel?) -> Int {
        func table<E>(_ mine: ChunkedArray<E>, _ theirs: ChunkedArray<E>?) -> Int {
            mine.chunksNotShared(with: theirs) * ChunkedArray<E>.chunkCapacity * MemoryLayout<E>.stride
                + mine.pagesNotShared(with: theirs) * ChunkedArray<E>.pageCapacity * MemoryLayout<Int>.stride
                + mine.pageCount * MemoryLayout<Int>.stride
        }
        return 4096 + table(trials, other?.trials) + table(trialStamps, other?.trialStamps)
            + table(curveNodes, other?.curveNodes) + table(decisionNodes, other?.decisionNodes)
            + table(run.trials, other?.run.trials) + sparseIndex.count * 48 + placementsByTrial.count * 160
            + messageLog.count * 120 + bestSeries.count * 16 + reportTimes.count * 8
            + workers.count * MemoryLayout<WorkerSlot>.stride + rungs.count * Self.maxRungs * 64
    }

    /// The model's tables and what they hold (elements, and their bytes: elements at their stride plus
    /// a reference per chunk), largest tables first: where a replay's memory goes. What the records point
    /// to (configurations, texts) is not counted.
    public var tableSizes: [(name: String, count: Int, bytes: Int)] {
        func table<E>(_ name: String, _ t: ChunkedArray<E>) -> (name: String, count: Int, bytes: Int) {
            (name, t.count, t.count * MemoryLayout<E>.stride + (t.chunkCount + t.pageCount) * MemoryLayout<Int>.stride)
        }
        return [
            table("trials", trials), table("run.trials", run.trials), table("trialStamps", trialStamps),
            table("curveNodes", curveNodes), table("decisionNodes", decisionNodes),
            ("reportTimes", reportTimes.count, reportTimes.count * 8),
        ].sorted { $0.bytes > $1.bytes }
    }
}
