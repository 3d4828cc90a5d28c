import ASHA
import Foundation
import Objectives
import RunLog
import Testing

@testable import Tuner

/// A fresh, empty directory for one test.
private func scratch() -> String {
    let d = NSTemporaryDirectory() + "ashb-ckpt-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// Counts calls from the store's writer thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func bump() {
        lock.lock()
        n += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return n
    }
}

private func bytes(_ trial: Int, _ version: Int, size: Int = 16) -> [UInt8] {
    (0..<size).map { UInt8(truncatingIfNeeded: trial &* 31 &+ version &* 7 &+ $0) }
}

@Suite struct CheckpointStoreTests {
    @Test func aReopenedPackGivesEachTrialsLastCheckpoint() throws {
        let dir = scratch()
        let store = try CheckpointStore(directory: dir)
        store.save(trial: 1, bytes: bytes(1, 0))
        store.drain()
        store.save(trial: 1, bytes: bytes(1, 1))
        store.save(trial: 2, bytes: bytes(2, 0, size: 1000))
        store.close(keeping: nil)
        // A compaction cut short by a crash leaves its temporary file; opening the pack removes it.
        #expect(FileManager.default.createFile(atPath: dir + "/trials.pack.tmp", contents: Data([1, 2, 3])))
        let again = try CheckpointStore(directory: dir)
        #expect(!FileManager.default.fileExists(atPath: dir + "/trials.pack.tmp"))
        #expect(try again.load(trial: 1).get() == bytes(1, 1))
        #expect(try again.load(trial: 2).get() == bytes(2, 0, size: 1000))
        guard case .failure = again.load(trial: 3) else {
            Issue.record("trial 3 has no checkpoint")
            return
        }
        again.close(keeping: nil)
    }

    @Test func aTornTailIsCutOffAndTheRestStillLoads() throws {
        let dir = scratch()
        let store = try CheckpointStore(directory: dir)
        for t in 0..<5 { store.save(trial: t, bytes: bytes(t, 0, size: 100)) }
        store.close(keeping: nil)
        let path = dir + "/trials.pack"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size == 5 * (20 + 100))
        // A crash in the middle of the last record, and one flipped byte in the fourth.
        #expect(truncate(path, off_t(size - 30)) == 0)
        let fd = open(path, O_RDWR)
        var flipped: UInt8 = 0xFF
        #expect(pwrite(fd, &flipped, 1, off_t(3 * 120 + 50)) == 1)
        close(fd)
        let again = try CheckpointStore(directory: dir)
        for t in 0..<3 { #expect(try again.load(trial: t).get() == bytes(t, 0, size: 100)) }
        #expect(!again.contains(trial: 3))
        #expect(!again.contains(trial: 4))
        #expect(again.fileBytes == 3 * 120)
        again.save(trial: 4, bytes: bytes(4, 1))
        again.close(keeping: nil)
        let third = try CheckpointStore(directory: dir)
        #expect(try third.load(trial: 4).get() == bytes(4, 1))
        third.close(keeping: nil)
    }

    @Test func manyCheckpointsShareFewSyncsAndTheLogIsFlushedBeforeEach() throws {
        let syncs = Counter()
        let flushes = Counter()
        let order = Counter()  // syncs that came before any flush
        let store = try CheckpointStore(
            directory: scratch(), beforeWrite: { flushes.bump() },
            sync: { fd in
                if flushes.value <= syncs.value { order.bump() }
                syncs.bump()
                return fdatasync(fd)
            })
        for t in 0..<2000 { store.save(trial: t, bytes: bytes(t, 0)) }
        store.drain()
        #expect(syncs.value >= 1)
        #expect(syncs.value <= 20, "one sync per batch, not per checkpoint")
        #expect(order.value == 0, "a batch was synced before the log was flushed")
        for t in stride(from: 0, to: 2000, by: 97) { #expect(try store.load(trial: t).get() == bytes(t, 0)) }
        #expect(store.stats.batches == syncs.value)
        store.close(keeping: nil)
    }

    @Test func aSlowDiskMakesSavesWaitInsteadOfGrowingTheQueue() throws {
        let limit = 8 * 1024
        let dir = scratch()
        let store = try CheckpointStore(
            directory: dir, pendingLimit: limit,
            sync: { fd in
                Thread.sleep(forTimeInterval: 0.02)
                return fdatasync(fd)
            })
        for t in 0..<100 { store.save(trial: t, bytes: bytes(t, 0, size: 1024)) }
        let stats = store.stats
        #expect(stats.peakPendingBytes <= limit)
        #expect(stats.waits > 0)
        store.close(keeping: nil)
        let again = try CheckpointStore(directory: dir)
        for t in 0..<100 { #expect(try again.load(trial: t).get() == bytes(t, 0, size: 1024)) }
        again.close(keeping: nil)
    }

    @Test func aTrialsNewerCheckpointReplacesItsQueuedOne() throws {
        let dir = scratch()
        let store = try CheckpointStore(directory: dir, pendingLimit: 4096)
        for v in 0..<500 { store.save(trial: 7, bytes: bytes(7, v, size: 1024)) }
        #expect(store.stats.waits == 0, "one trial's checkpoints never fill the queue")
        #expect(try store.load(trial: 7).get() == bytes(7, 499, size: 1024))
        store.close(keeping: nil)
        #expect(try CheckpointStore(directory: dir).load(trial: 7).get() == bytes(7, 499, size: 1024))
    }

    @Test func closingKeepsOnlyTheTrialsAskedFor() throws {
        let dir = scratch()
        let store = try CheckpointStore(directory: dir)
        for t in 0..<50 { store.save(trial: t, bytes: bytes(t, 0, size: 200)) }
        store.drain()
        for t in 50..<60 { store.save(trial: t, bytes: bytes(t, 0, size: 200)) }
        store.close(keeping: [3, 55])
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/trials.pack")[.size] as? Int
        #expect(size == 2 * 220)
        let again = try CheckpointStore(directory: dir)
        #expect(try again.load(trial: 3).get() == bytes(3, 0, size: 200))
        #expect(try again.load(trial: 55).get() == bytes(55, 0, size: 200))
        #expect(!again.contains(trial: 4))
        again.close(keeping: [])
        #expect(!FileManager.default.fileExists(atPath: dir + "/trials.pack"))
    }

    @Test func deadRecordsAreCompactedAway() throws {
        let dir = scratch()
        let store = try CheckpointStore(directory: dir, compactAbove: 1000)
        for t in 0..<100 { store.save(trial: t, bytes: bytes(t, 0, size: 100)) }
        store.drain()
        #expect(store.fileBytes == 100 * 120)
        for t in 0..<90 { store.remove(trial: t) }
        store.save(trial: 95, bytes: bytes(95, 1, size: 100))
        store.drain()
        store.save(trial: 96, bytes: bytes(96, 1, size: 100))
        store.drain()
        #expect(store.stats.compactions >= 1)
        #expect(store.fileBytes <= 12 * 120)
        for t in 90..<100 {
            #expect(try store.load(trial: t).get() == bytes(t, t == 95 || t == 96 ? 1 : 0, size: 100))
        }
        store.close(keeping: nil)
        let again = try CheckpointStore(directory: dir)
        #expect(!again.contains(trial: 5))
        #expect(try again.load(trial: 95).get() == bytes(95, 1, size: 100))
        again.close(keeping: nil)
    }

    // MARK: - In a run

    func brainRun(keeping: KeepCheckpoints, dir: String) throws -> (Tuner, RunSummary) {
        let objective = try ObjectiveCatalog.make(name: "branin", options: [:], baseDirectory: nil)
        var settings = SchedulerSettings()
        settings.maxResource = 27
        settings.maxTrials = 300
        settings.seed = 5
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(workers: 4, spillDirectory: dir), backend: .simulated, sinks: [])
        tuner.keepCheckpoints(in: try CheckpointStore(directory: dir + "/checkpoints"), keeping: keeping)
        return (tuner, tuner.run())
    }

    @Test func aFinishedRunKeepsOnlyTheBestsCheckpoint() throws {
        let dir = scratch()
        let (_, summary) = try brainRun(keeping: .best, dir: dir)
        #expect(summary.endReason == "finished")
        let best = try #require(summary.best)
        let store = try CheckpointStore(directory: dir + "/checkpoints")
        let bytes = try store.load(trial: best.trial).get()
        #expect(!bytes.isEmpty)
        for t in 0..<300 where t != best.trial { #expect(!store.contains(trial: t)) }
        store.close(keeping: nil)
    }

    @Test func keepAllKeepsTheWaitingTrialsAndNoneKeepsNothing() throws {
        let all = scratch()
        let (_, summary) = try brainRun(keeping: .all, dir: all)
        let waiting = summary.counts[.waiting] ?? 0
        #expect(waiting > 0)
        let store = try CheckpointStore(directory: all + "/checkpoints")
        let kept = (0..<300).filter { store.contains(trial: $0) }.count
        #expect(kept >= waiting)
        store.close(keeping: nil)

        let none = scratch()
        _ = try brainRun(keeping: .none, dir: none)
        #expect(!FileManager.default.fileExists(atPath: none + "/checkpoints/trials.pack"))
    }
}
