import ASHA
import Foundation
import RunLog

/// The promotion-variant ASHA simulation behind `SyntheticEvents.demo`.
struct Simulation {
    /// The values recorded at one rung: exact while small, bucketed (Fenwick tree) when large.
    struct RungValues {
        var sorted: [Double] = []
        var tree: [Int] = []
        var count = 0
        static let buckets = 1 << 16
        static let span = 4.0

        mutating func insert(_ v: Double) {
            count += 1
            if tree.isEmpty {
                let i = sorted.partitionIndex { $0 >= v }
                sorted.insert(v, at: i)
                if sorted.count > 2000 {
                    tree = Array(repeating: 0, count: Self.buckets + 1)
                    for x in sorted { add(Self.bucket(x)) }
                    sorted = []
                }
            } else {
                add(Self.bucket(v))
            }
        }

        /// 1-based rank of `v` among the values (ties count as better).
        func rank(_ v: Double) -> Int {
            if tree.isEmpty { return sorted.partitionIndex { $0 >= v } + 1 }
            var i = Self.bucket(v)
            var s = 0
            while i > 0 {
                s += tree[i]
                i -= i & -i
            }
            return max(1, s - 1 + 1)
        }

        /// The k-th best value (1-based).
        func value(atRank k: Int) -> Double {
            if tree.isEmpty { return sorted[max(0, min(sorted.count - 1, k - 1))] }
            var pos = 0
            var rem = k
            var step = Self.buckets
            while step > 0 {
                if pos + step <= Self.buckets, tree[pos + step] < rem {
                    pos += step
                    rem -= tree[pos]
                }
                step >>= 1
            }
            return (Double(pos) + 0.5) / Double(Self.buckets) * Self.span
        }

        static func bucket(_ v: Double) -> Int {
            guard v.isFinite else { return buckets }
            return max(1, min(buckets, Int(v / span * Double(buckets)) + 1))
        }

        private mutating func add(_ b: Int) {
            var i = b
            while i <= Self.buckets {
                tree[i] += 1
                i += i & -i
            }
        }
    }

    struct Job {
        var trial: Int
        var rung: Int
        var from: Int
        var to: Int
        var at: Int
        var nextTime: Double
        var stepTime: Double
    }

    let count: Int
    let brackets: Int
    let variant: Variant
    let eta = 3
    let info: RunInfo
    var rng: SplitMix
    var events: [RunEvent] = []
    var time = 0.0
    var jobs: [Job?]
    var quality: [Double] = []
    var speed: [Double] = []
    var bracketOf: [Int] = []
    var rungs: [[RungValues]]
    /// Per bracket and rung: trials waiting to be promoted, as (value, trial).
    var candidates: [[MinHeap]]
    var best = Double.infinity
    var stopTime = Double.infinity
    var finish = false

    init(count: Int, workers: Int, brackets: Int, seed: UInt64, variant: Variant) {
        self.count = count
        self.brackets = max(1, min(4, brackets))
        self.variant = variant
        info = SyntheticEvents.runInfo(workers: workers, brackets: self.brackets, seed: seed, variant: variant)
        rng = SplitMix(state: seed)
        jobs = Array(repeating: nil, count: workers)
        rungs = info.ladders.map { $0.map { _ in RungValues() } }
        candidates = info.ladders.map { $0.map { _ in MinHeap() } }
    }

    mutating func emit(_ body: RunEvent.Body) {
        events.append(RunEvent(seq: events.count, time: (time * 1000).rounded() / 1000, body: body))
    }

    func loss(_ trial: Int, _ r: Int) -> Double {
        let q = quality[trial]
        let wobble = 0.01 * sin(Double(trial) * 12.9898 + Double(r) * 78.233)
        return ((0.08 + 0.5 * q + 0.9 / sqrt(Double(r) + 1) + wobble) * 10000).rounded() / 10000
    }

    mutating func run(finish: Bool) {
        self.finish = finish
        emit(.runStarted(info))
        for w in jobs.indices { assign(w) }
        while let w = nextWorker() {
            let job = jobs[w]!
            if job.nextTime > stopTime { break }
            time = job.nextTime
            advance(w)
        }
        if finish {
            emit(.runEnded(reason: "finished"))
        }
    }

    func nextWorker() -> Int? {
        var bestW: Int?
        for (w, j) in jobs.enumerated() {
            guard let j else { continue }
            if bestW == nil || j.nextTime < jobs[bestW!]!.nextTime { bestW = w }
        }
        return bestW
    }

    /// Resource units between reports while training towards rung `rung` (three reports a rung).
    func step(_ trial: Int, towards rung: Int) -> Int {
        let ladder = info.ladders[bracketOf[trial]]
        let start = rung > 0 ? ladder[rung - 1] : 0
        return max(1, (ladder[rung] - start + 2) / 3)
    }

    /// One report of the job on worker `w`; at a rung, a decision (and maybe a free worker).
    mutating func advance(_ w: Int) {
        var job = jobs[w]!
        let target = info.ladders[bracketOf[job.trial]][job.rung]
        job.at = min(target, job.at + step(job.trial, towards: job.rung))
        let value = loss(job.trial, job.at)
        emit(.metric(trial: job.trial, resource: job.at, value: value))
        if job.rung == 0 && (job.trial == 5 || job.trial == 8) {
            if job.trial == 5 {
                emit(.trialFailed(trial: job.trial, reason: "diverged: loss is NaN at r=\(job.at)"))
            } else {
                emit(.trialKilled(trial: job.trial))
            }
            emit(.jobEnded(trial: job.trial, worker: w))
            jobs[w] = nil
            assign(w)
            return
        }
        if job.at >= target {
            guard decide(job, value: value) else {
                emit(.jobEnded(trial: job.trial, worker: w))
                jobs[w] = nil
                assign(w)
                return
            }
            job.rung += 1
        }
        job.nextTime = time + Double(step(job.trial, towards: job.rung)) * job.stepTime
        jobs[w] = job
    }

    /// Records the trial's value at its rung and decides; true when a stopping-variant job goes on.
    mutating func decide(_ job: Job, value: Double) -> Bool {
        let b = bracketOf[job.trial]
        let ladder = info.ladders[b]
        let k = job.rung
        rungs[b][k].insert(value)
        let n = rungs[b][k].count
        let rank = rungs[b][k].rank(value)
        let cutoff = n >= eta ? rungs[b][k].value(atRank: max(1, n / eta)) : nil
        let top = k == ladder.count - 1
        let reason: Decision.Reason =
            top ? .topRung : (n < eta ? .tooFewEntries : (rank <= n / eta ? .withinCutoff : .worseThanCutoff))
        let action: Decision.Action
        if top {
            action = .complete
        } else if variant == .stopping {
            action = reason == .worseThanCutoff ? .stop : .continue
        } else {
            action = .wait
        }
        let d = Decision(
            trial: job.trial, bracket: b, rung: k, resource: ladder[k], value: value, cutoff: cutoff, rank: rank,
            rungSize: n, action: action, reason: reason)
        emit(.decision(d))
        if value < best {
            best = value
            emit(.newBest(trial: job.trial, resource: ladder[k], value: value))
        }
        if top { emit(.trialCompleted(trial: job.trial, resource: ladder[k], value: value)) }
        if action == .wait { candidates[b][k].push(value, job.trial) }
        return action == .continue
    }

    /// Gives free worker `w` a promotion or a new trial (the paper's rule, top rung first).
    mutating func assign(_ w: Int) {
        if w == 0 && quality.count == count * 3 / 10 && count >= 10 {
            emit(.workersChanged(count: jobs.count, by: .user))
        }
        let b = Int(rng.next() % UInt64(brackets))
        let ladder = info.ladders[b]
        for k in stride(from: ladder.count - 2, through: 0, by: -1) where variant == .promotion {
            let n = rungs[b][k].count
            guard n >= eta, let (value, trial) = candidates[b][k].top else { continue }
            let rank = rungs[b][k].rank(value)
            guard rank <= n / eta else { continue }
            candidates[b][k].pop()
            let d = Decision(
                trial: trial, bracket: b, rung: k, resource: ladder[k], value: value,
                cutoff: rungs[b][k].value(atRank: n / eta), rank: rank, rungSize: n, action: .promote,
                reason: .withinCutoff)
            emit(.decision(d))
            start(trial, worker: w, rung: k + 1, from: ladder[k], to: ladder[k + 1])
            return
        }
        guard quality.count < count else { return }
        let id = quality.count
        quality.append(rng.unit())
        speed.append(0.5 + rng.unit())
        bracketOf.append(b)
        let config = Configuration([
            .init(name: "lr", value: .double((pow(10, -4 + 3 * rng.unit()) * 1e5).rounded() / 1e5)),
            .init(name: "batch", value: .int([16, 32, 64, 128][Int(rng.next() % 4)])),
            .init(name: "dropout", value: .double((rng.unit() * 50).rounded() / 100)),
            .init(name: "layers", value: .int(1 + Int(rng.next() % 4))),
            .init(name: "optimizer", value: .string(rng.unit() < 0.5 ? "adam" : "sgd")),
        ])
        emit(.trialSampled(trial: id, bracket: b, config: config))
        start(id, worker: w, rung: 0, from: 0, to: variant == .stopping ? ladder[ladder.count - 1] : ladder[0])
        if quality.count == count, !finish { stopTime = time + 0.4 * speed[id] * Double(ladder[0]) }
    }

    mutating func start(_ trial: Int, worker: Int, rung: Int, from: Int, to: Int) {
        emit(.jobStarted(trial: trial, worker: worker, rung: rung, fromResource: from, toResource: to))
        let stepTime = 0.5 * speed[trial]
        jobs[worker] = Job(
            trial: trial, rung: rung, from: from, to: to, at: from,
            nextTime: time + Double(step(trial, towards: rung)) * stepTime, stepTime: stepTime)
    }
}

extension Array {
    /// The first index whose element satisfies `belongs` (the array is partitioned by it).
    func partitionIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// A binary min-heap of (value, trial), ordered by value then trial id.
struct MinHeap {
    private var items: [(Double, Int)] = []

    var top: (Double, Int)? { items.first }

    private static func less(_ a: (Double, Int), _ b: (Double, Int)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
    }

    mutating func push(_ value: Double, _ trial: Int) {
        items.append((value, trial))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < items.count, Self.less(items[l], items[m]) { m = l }
            if r < items.count, Self.less(items[r], items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
    }
}
