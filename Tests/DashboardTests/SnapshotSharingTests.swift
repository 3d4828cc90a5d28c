import ASHA
import Dashboard
import RunFixtures
import RunLog
import Testing

/// Snapshots of the dashboard model share their chunked tables: a model restored from one and folded on
/// equals the model folded straight from the log, and writing to one copy never shows in another.
@Suite("Snapshot sharing")
struct SnapshotSharingTests {
    /// More trials than a chunk holds, so the tables span several chunks.
    static let events = RecordedRun.events(count: 700, workers: 8, brackets: 3, finish: true)

    /// Everything the screens read about the trials, the run's state, and the per-run tables.
    static func expectEqual(_ a: DashboardModel, _ b: DashboardModel, _ note: String) {
        #expect(a.run == b.run, "run state, \(note)")
        #expect(a.trials.count == b.trials.count, "trials, \(note)")
        #expect(a.stamp == b.stamp && a.trialsChanged == b.trialsChanged, "stamps, \(note)")
        #expect(a.best?.value == b.best?.value && a.bestSeries.count == b.bestSeries.count, "best, \(note)")
        for (x, y) in zip(a.trials, b.trials) {
            let same =
                x.id == y.id && x.bracket == y.bracket && x.status == y.status && x.highestRung == y.highestRung
                && x.resource == y.resource && x.lastMetric?.bitPattern == y.lastMetric?.bitPattern
                && x.rungValue?.bitPattern == y.rungValue?.bitPattern && x.worker == y.worker
                && x.configText == y.configText && x.sampleText == y.sampleText && x.failureReason == y.failureReason
                && a.curve(of: x) == b.curve(of: y) && a.decisions(of: x) == b.decisions(of: y)
                && a.decisionTimes(of: x) == b.decisionTimes(of: y)
            #expect(same, "trial \(x.id), \(note)")
            if !same { return }
        }
    }

    @Test func aSeekAnywhereEqualsAStraightFold() {
        #expect(Self.events.count > 5000)
        let t = ReplayTimeline(snapshotInterval: 64, maxSnapshots: 40)
        t.append(contentsOf: Self.events)
        #expect(t.snapshotCount > 8)
        var rng = SplitMix64(seed: 17)
        var positions = (0..<60).map { _ in Int(rng.next() % UInt64(t.count + 1)) }
        positions += [0, 1, t.count - 1, t.count, t.snapshotInterval, t.snapshotInterval + 1]
        var current = (position: 0, model: t.model(at: 0))
        for p in positions {
            let restored = t.model(at: p, from: current)
            let straight = DashboardModel(events: Self.events.prefix(p))
            Self.expectEqual(restored, straight, "position \(p)")
            current = (p, restored)
        }
    }

    @Test func foldingACopyOnLeavesTheSnapshotAsItWas() {
        let t = ReplayTimeline(snapshotInterval: 256, maxSnapshots: 64)
        t.append(contentsOf: Self.events)
        let p = t.snapshotPosition(before: t.count / 2)
        let snapshot = t.model(at: p)
        var copy = snapshot
        for e in Self.events[p..<(p + 1500)] { copy.apply(e) }
        #expect(copy.eventCount == p + 1500)
        // The snapshot still is the model at p; the copy is the model at p + 1500; and a seek to p again
        // (from the snapshot the copy came from) still gives the model at p.
        Self.expectEqual(snapshot, DashboardModel(events: Self.events.prefix(p)), "the snapshot")
        Self.expectEqual(copy, DashboardModel(events: Self.events.prefix(p + 1500)), "the copy")
        Self.expectEqual(t.model(at: p), snapshot, "the snapshot restored again")
        // The copy owns only what changed: far less than a whole model.
        #expect(copy.bytesNotShared(with: snapshot) < copy.bytesNotShared(with: nil))
    }

    /// A snapshot is charged for what it holds that the next one does not share (chunks written to
    /// since), not for what was appended after it: that is shared with the model after every event.
    @Test func snapshotsAreChargedForWhatTheNextOneNoLongerShares() {
        let t = ReplayTimeline(snapshotInterval: 256, maxSnapshots: 64)
        t.append(contentsOf: Self.events)
        #expect(t.snapshotCount > 3)
        var expected = 0
        var previous: DashboardModel?
        for k in 0..<t.snapshotCount {
            let model = t.model(at: k * t.snapshotInterval)
            if let previous { expected += previous.bytesNotShared(with: model) }
            previous = model
        }
        #expect(t.snapshotBytes == expected)
        // An older copy shares every chunk a newer one only appended to: less than either holds alone.
        let early = t.model(at: t.snapshotInterval)
        let late = t.model(at: 2 * t.snapshotInterval)
        #expect(early.bytesNotShared(with: late) < late.bytesNotShared(with: early))
    }

    /// The trials list synced to one model and then to another of the same history (a seek, either way)
    /// equals a list sorted afresh, with and without a filter, across chunk boundaries.
    @Test(arguments: [SortKey.metric, .status, .rung, .parameter(0)])
    func theTrialsListResyncsAcrossSeeks(key: SortKey) throws {
        let t = ReplayTimeline(snapshotInterval: 128, maxSnapshots: 64)
        t.append(contentsOf: Self.events)
        let filter = try TrialFilter.parse("rung>=1", parameters: ["x", "y"], metric: "loss").get()
        var shown = TrialList()
        var filtered = TrialList()
        var rng = SplitMix64(seed: 23)
        var current = (position: 0, model: t.model(at: 0))
        for _ in 0..<40 {
            let p = Int(rng.next() % UInt64(t.count + 1))
            let m = t.model(at: p, from: current)
            current = (p, m)
            shown.sync(with: m, key: key, ascending: true, filter: .all)
            filtered.sync(with: m, key: key, ascending: false, filter: filter)
            var fresh = TrialList()
            fresh.sync(with: m, key: key, ascending: true, filter: .all)
            var freshFiltered = TrialList()
            freshFiltered.sync(with: m, key: key, ascending: false, filter: filter)
            #expect(shown.ids == fresh.ids, "position \(p)")
            #expect(filtered.ids == freshFiltered.ids, "filtered, position \(p)")
        }
        #expect(shown.fullSorts == 1)
    }
}
