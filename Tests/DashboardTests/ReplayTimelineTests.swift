import ASHA
import RunFixtures
import RunLog
import Testing

@testable import Dashboard

/// The replay's timeline and player: a seek anywhere shows what playing straight through shows.
@Suite("Replay timeline and player")
struct ReplayTimelineTests {
    static let events = RecordedRun.events(count: 120, workers: 4, brackets: 2, finish: true)
    static let size = Size(width: 120, height: 40)

    /// A timeline with small snapshot intervals, so seeks cross many snapshots and thinning happens.
    static func timeline(_ events: [RunEvent] = events) -> ReplayTimeline {
        let t = ReplayTimeline(snapshotInterval: 16, maxSnapshots: 6)
        t.append(contentsOf: events)
        return t
    }

    /// A frame of `model` with a fresh view state (so only the model decides what is drawn), and the replay
    /// header when `status` is given.
    static func frame(_ model: DashboardModel, _ status: ReplayStatus? = nil) -> String {
        var ui = UIState(keyMap: .replay, readOnly: true)
        ui.screen = size
        ui.replay = status
        ui.sync(with: model)
        return render(model: model, ui: ui, size: size).text
    }

    /// The status as if paused (the header says whether it plays).
    static func paused(_ status: ReplayStatus) -> ReplayStatus {
        var s = status
        s.playing = false
        return s
    }

    @Test func snapshotsStayBoundedAndTheIntervalGrows() {
        let t = Self.timeline()
        #expect(Self.events.count > 1000)
        #expect(t.snapshotCount <= 6)
        #expect(t.snapshotInterval > 16)
        #expect(t.count == Self.events.count)
    }

    @Test func everySeekShowsWhatFoldingStraightThroughShows() {
        let t = Self.timeline()
        // Straight through: the frame after each prefix, every 7th position and the last.
        var straight: [Int: String] = [:]
        var model = DashboardModel()
        for (i, e) in Self.events.enumerated() {
            if i % 7 == 0 { straight[i] = Self.frame(model) }
            model.apply(e)
        }
        straight[Self.events.count] = Self.frame(model)
        // Seek to those positions in a scrambled order, forwards and backwards, from wherever we are.
        var rng = SplitMix64(seed: 5)
        var current = (position: 0, model: t.model(at: 0))
        for p in straight.keys.sorted().shuffled(using: &rng) {
            let m = t.model(at: p, from: current)
            #expect(m.eventCount == p)
            #expect(Self.frame(m) == straight[p], "position \(p)")
            current = (p, m)
        }
    }

    /// A paused player of `t` and a replay view of it sorted by `key`.
    static func viewer(_ t: ReplayTimeline, key: SortKey, ascending: Bool) -> (ReplayPlayer, UIState) {
        var ui = UIState(keyMap: .replay, readOnly: true)
        ui.screen = size
        ui.sortKey = key
        ui.ascending = ascending
        return (ReplayPlayer(timeline: t, playing: false), ui)
    }

    /// One view state carried across seeks (as on screen) keeps its trials list equal to a fresh full sort:
    /// models restored from snapshots share the timeline's stamps, so incremental syncs stay right.
    @Test(arguments: SortKey.all(parameters: 2))
    func theTrialsListStaysRightAcrossSeeks(key: SortKey) {
        let t = Self.timeline()
        var (player, ui) = Self.viewer(t, key: key, ascending: key.naturalAscending(goal: .minimize))
        var rng = SplitMix64(seed: UInt64(SortKey.allCases.firstIndex(of: key) ?? 9) + 11)
        for _ in 0..<60 {
            let control: ReplayControl =
                switch rng.next() % 4 {
                case 0: .jump(.event(Int(rng.next() % UInt64(t.count + 1))))
                case 1: .step(Int(rng.next() % 40))
                case 2: .seek(seconds: -10)
                default: .seek(seconds: 10)
                }
            _ = player.perform(control, timeline: t, trial: nil, complete: true)
            ui.sync(with: player.model)
            var fresh = TrialList()
            fresh.sync(with: player.model, key: key, ascending: ui.ascending, filter: .all)
            #expect(ui.table.ids == fresh.ids, "after \(control) at \(player.position)")
        }
    }

    /// Far seeks back and forth with a sort key and a filter: the list equals the list of a model folded
    /// from the start to the same event, and the rows on screen are in their places. The list is given
    /// small thresholds, so this short run takes the paths of a long one (changed rows added unsorted,
    /// segments partitioned when read).
    @Test(arguments: SortKey.all(parameters: 2))
    func farSeeksWithASortKeyAndAFilterShowTheListOfAFullFold(key: SortKey) {
        let t = Self.timeline()
        var (player, ui) = Self.viewer(t, key: key, ascending: !key.naturalAscending(goal: .minimize))
        ui.table = TrialList(leafSize: 4, mergeLimit: 2)
        let filters = ["bracket:1", "rung>=1", "status!=stopped bracket:0", ""]
        var rng = SplitMix64(seed: UInt64(SortKey.allCases.firstIndex(of: key) ?? 9) + 31)
        let tenth = UInt64(t.count / 10 + 1)
        for i in 0..<24 {
            ui.filter = filters[(i / 5) % filters.count]
            let target = i % 2 == 0 ? Int(rng.next() % tenth) : t.count - Int(rng.next() % tenth)
            _ = player.perform(.jump(.event(target)), timeline: t, trial: nil, complete: true)
            ui.sync(with: player.model)
            if i % 3 == 1 {
                for _ in 0..<Int(rng.next() % 30) { _ = ui.handle(.down, model: player.model) }
            }
            let folded = DashboardModel(events: Self.events.prefix(player.position))
            var fresh = TrialList()
            fresh.sync(with: folded, key: key, ascending: ui.ascending, filter: ui.activeFilter)
            let expected = fresh.ids
            #expect(ui.filterError == nil)
            #expect(ui.table.ids == expected, "'\(ui.filter)' at \(player.position)")
            for row in ui.listTop..<min(ui.table.count, ui.listTop + ui.pageSize(player.model)) {
                #expect(ui.table.isSettled(row), "row \(row) at \(player.position)")
                #expect(ui.table.id(at: row) == expected[row])
            }
            if let id = ui.selectedTrial, let row = ui.selectedRow { #expect(expected[row] == id) }
        }
    }

    @Test func timesMapToPositions() {
        let t = Self.timeline()
        #expect(t.position(atTime: -1) == 0)
        #expect(t.position(atTime: t.duration) == t.count)
        let mid = t.time(at: t.count / 2)
        let p = t.position(atTime: mid)
        #expect(p >= t.count / 2)
        #expect(t.time(at: p) == mid)
        #expect(p == t.count || t.time(at: p + 1) > mid)
    }

    @Test func seekingByTimeMatchesPlayingThrough() {
        let t = Self.timeline()
        // Straight through at x1 in steps of 0.5 s of wall time: the frame at each clock reading.
        var player = ReplayPlayer(timeline: t, playing: true, speed: 1)
        var frames: [Double: String] = [:]
        while player.playing {
            frames[player.clock] = Self.frame(player.model, Self.paused(player.status(t, complete: true)))
            _ = player.advance(wallSeconds: 0.5, timeline: t, complete: true)
        }
        #expect(player.position == t.count)
        // Seeking there by ±10 s and ±1 min from the start (all multiples of 0.5 s).
        var seeker = ReplayPlayer(timeline: t, playing: false)
        _ = seeker.perform(.start, timeline: t, trial: nil, complete: true)
        var rng = SplitMix64(seed: 9)
        var checked = 0
        for _ in 0..<60 {
            let move = [10.0, -10, 60, -60][Int(rng.next() % 4)]
            guard seeker.clock + move >= 0, seeker.clock + move < t.duration else { continue }
            _ = seeker.perform(.seek(seconds: move), timeline: t, trial: nil, complete: true)
            guard let expected = frames[seeker.clock] else { continue }
            #expect(
                Self.frame(seeker.model, Self.paused(seeker.status(t, complete: true))) == expected,
                "clock \(seeker.clock)")
            checked += 1
        }
        #expect(t.duration > 60)
        #expect(checked >= 30)
    }

    @Test func stepsAndEventJumpsLandOnTheSamePositions() {
        let t = Self.timeline()
        var a = ReplayPlayer(timeline: t, playing: false)
        var b = ReplayPlayer(timeline: t, playing: false)
        #expect(a.position > 0, "the events at time 0 are applied at the start")
        _ = a.perform(.jump(.event(0)), timeline: t, trial: nil, complete: true)
        for _ in 0..<300 { _ = a.perform(.step(1), timeline: t, trial: nil, complete: true) }
        _ = b.perform(.end, timeline: t, trial: nil, complete: true)
        _ = b.perform(.jump(.event(250)), timeline: t, trial: nil, complete: true)
        for _ in 0..<50 { _ = b.perform(.step(1), timeline: t, trial: nil, complete: true) }
        #expect(a.position == 300 && b.position == 300)
        #expect(Self.frame(a.model, a.status(t, complete: true)) == Self.frame(b.model, b.status(t, complete: true)))
        _ = a.perform(.step(-1), timeline: t, trial: nil, complete: true)
        #expect(a.position == 299)
        #expect(Self.frame(a.model) == Self.frame(t.model(at: 299)))
        #expect(a.perform(.jump(.event(0)), timeline: t, trial: nil, complete: true) == nil)
        #expect(a.position == 0 && a.model.eventCount == 0)
        #expect(a.perform(.step(-1), timeline: t, trial: nil, complete: true) == "at the start of the log")
    }

    @Test func decisionJumpsVisitEveryDecisionAboutTheTrial() {
        let t = Self.timeline()
        // The trial with the most decisions (the lowest id among ties).
        var perTrial: [Int: Int] = [:]
        for e in Self.events { if case .decision(let d) = e.body { perTrial[d.trial, default: 0] += 1 } }
        let trial = perTrial.max { ($0.value, -$0.key) < ($1.value, -$1.key) }!.key
        let decisions = Self.events.indices.filter {
            if case .decision(let d) = Self.events[$0].body { return d.trial == trial }
            return false
        }
        #expect(decisions.count >= 2)
        var p = ReplayPlayer(timeline: t, playing: true)
        var visited: [Int] = []
        while p.perform(.nextDecision, timeline: t, trial: trial, complete: true) == nil { visited.append(p.position) }
        #expect(visited == decisions.map { $0 + 1 })
        #expect(!p.playing)
        #expect(
            p.perform(.nextDecision, timeline: t, trial: trial, complete: true)
                == "no later decision about trial \(trial)")
        var back: [Int] = []
        while p.perform(.previousDecision, timeline: t, trial: trial, complete: true) == nil { back.append(p.position) }
        #expect(back == Array(decisions.map { $0 + 1 }.reversed().dropFirst()))
        #expect(p.perform(.nextDecision, timeline: t, trial: nil, complete: true) == "no trial selected")
    }

    /// Gives back events from an array, like a log indexed by its feed, and can be made to fail.
    final class ArraySource: ReplayEventSource {
        let events: [RunEvent]
        var failing = false
        init(_ events: [RunEvent]) { self.events = events }
        struct Failure: Error {}
        func events(_ range: Range<Int>) throws -> [RunEvent] {
            if failing { throw Failure() }
            return Array(events[range.clamped(to: 0..<events.count)])
        }
    }

    /// Over a source, the timeline holds a few blocks and answers as one that holds every event.
    @Test func aTimelineOverASourceAnswersAsOneHoldingEveryEvent() {
        let held = Self.timeline()
        let source = ArraySource(Self.events)
        let t = ReplayTimeline(snapshotInterval: 16, maxSnapshots: 6, source: source, blockSize: 32, cachedBlocks: 2)
        t.append(contentsOf: Self.events)
        #expect(t.heldEvents <= 3 * 32)
        for p in stride(from: 0, through: t.count, by: 13) { #expect(t.time(at: p) == held.time(at: p)) }
        for s in stride(from: -1.0, through: held.duration + 1, by: 0.7) {
            #expect(t.position(atTime: s) == held.position(atTime: s), "time \(s)")
        }
        var rng = SplitMix64(seed: 3)
        for _ in 0..<40 {
            let p = Int(rng.next() % UInt64(t.count + 1))
            #expect(Self.frame(t.model(at: p)) == Self.frame(held.model(at: p)), "position \(p)")
        }
        // Decision jumps find what a scan of every event finds.
        var perTrial: [Int: Int] = [:]
        for e in Self.events { if case .decision(let d) = e.body { perTrial[d.trial, default: 0] += 1 } }
        for trial in perTrial.keys.sorted().prefix(6) {
            for p in stride(from: 0, through: t.count, by: 97) {
                #expect(t.nextDecision(about: trial, after: p) == held.nextDecision(about: trial, after: p))
                #expect(t.previousDecision(about: trial, before: p) == held.previousDecision(about: trial, before: p))
            }
        }
        // A source that fails: the model stops before the block it could not read, and says why.
        source.failing = true
        let fresh = ReplayTimeline(
            snapshotInterval: 64, maxSnapshots: 6, source: source, blockSize: 32, cachedBlocks: 2)
        fresh.append(contentsOf: Self.events)
        var player = ReplayPlayer(timeline: fresh, playing: false)
        player.seek(to: 10, timeline: fresh)
        #expect(player.position == 0)
        #expect(fresh.readFailure != nil)
    }

    @Test func speedsGoFromAQuarterTo1024ThenMax() {
        let t = Self.timeline()
        var p = ReplayPlayer(timeline: t, playing: false)
        #expect(p.speedLabel == "x1")
        for _ in 0..<5 { _ = p.perform(.slower, timeline: t, trial: nil, complete: true) }
        #expect(p.speedLabel == "x0.25")
        var labels: [String] = [p.speedLabel]
        for _ in 0..<20 {
            _ = p.perform(.faster, timeline: t, trial: nil, complete: true)
            labels.append(p.speedLabel)
        }
        #expect(labels.prefix(14).contains("x1024"))
        #expect(labels.last == "max")
        // As fast as possible: a bounded number of events per turn, then it stops at the end.
        _ = p.perform(.playPause, timeline: t, trial: nil, complete: true)
        #expect(p.playing)
        _ = p.advance(wallSeconds: 0, timeline: t, complete: true)
        #expect(p.position == min(t.count, ReplayPlayer.foldBudget))
        while p.playing { _ = p.advance(wallSeconds: 0, timeline: t, complete: true) }
        #expect(p.position == t.count)
        #expect(p.model.isEnded)
    }

    @Test func aGrowingLogIsFollowedAtItsEndAndAJumpWaitsForIt() {
        let t = ReplayTimeline(snapshotInterval: 16, maxSnapshots: 6)
        t.append(contentsOf: Self.events.prefix(100))
        var p = ReplayPlayer(timeline: t, playing: false)
        #expect(p.perform(.end, timeline: t, trial: nil, complete: false) != nil)
        t.append(contentsOf: Self.events[100..<400])
        p.timelineGrew(t, complete: false)
        #expect(p.position == 400)
        // A jump beyond what is read waits at the end of it, then lands when the log gets there.
        _ = p.perform(.jump(.event(900)), timeline: t, trial: nil, complete: false)
        #expect(p.pending == .event(900))
        t.append(contentsOf: Self.events[400..<1000])
        p.timelineGrew(t, complete: false)
        #expect(p.position == 900)
        #expect(p.pending == nil)
        #expect(Self.frame(p.model) == Self.frame(DashboardModel(events: Self.events.prefix(900))))
    }

    @Test func targetsAndDurationsParse() {
        #expect(ReplayTime.parse("90") == 90)
        #expect(ReplayTime.parse("90s") == 90)
        #expect(ReplayTime.parse("12m30s") == 750)
        #expect(ReplayTime.parse("1h2m") == 3720)
        #expect(ReplayTime.parse("1.5m") == 90)
        #expect(ReplayTime.parse("2h") == 7200)
        for bad in ["", "m", "12x", "1s2m", "-5", "5m5m", "1e9", "nan", "s5"] {
            #expect(ReplayTime.parse(bad) == nil, "\(bad)")
        }
        #expect(ReplayTarget.parse("1234") == .event(1234))
        #expect(ReplayTarget.parse("#12") == .event(12))
        #expect(ReplayTarget.parse("12m30s") == .time(750))
        #expect(ReplayTarget.parse("99999999999999999999999") == .event(Int.max))
        #expect(ReplayTarget.parse("later") == nil)
    }
}

/// Untrusted logs: times that go backwards, are negative, huge or not numbers.
@Suite("Replay of odd times")
struct ReplayOddTimesTests {
    @Test func oddTimesNeitherCrashNorBreakSeeking() {
        var events = ReplayTimelineTests.events.prefix(200).map { $0 }
        let odd: [Double] = [-5, 1e300, 3, .infinity, .nan, -.infinity, 0]
        for (i, t) in odd.enumerated() { events[20 + i * 7].time = t }
        let t = ReplayTimelineTests.timeline(events)
        #expect(t.duration == .infinity)
        var last = 0.0
        for p in 0...t.count {
            let time = t.time(at: p)
            #expect(time >= last, "times are a running maximum")
            last = time
        }
        var player = ReplayPlayer(timeline: t, playing: true, speed: 1024)
        for control in [
            ReplayControl.seek(seconds: 10), .seek(seconds: -60), .end, .step(-1), .jump(.time(1e301)), .start,
            .jump(.event(Int.max)), .nextDecision, .playPause,
        ] {
            _ = player.perform(control, timeline: t, trial: 1, complete: true)
            _ = player.advance(wallSeconds: 1, timeline: t, complete: true)
            #expect((0...t.count).contains(player.position))
            #expect(player.model.eventCount == player.position)
            let status = player.status(t, complete: true)
            _ = ReplayTimelineTests.frame(player.model, status)
        }
    }
}
