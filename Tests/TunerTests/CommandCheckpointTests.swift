import ASHA
import Foundation
import Objectives
import RunLog
import Testing

@testable import Tuner

/// Full runs of the `command` objective with `checkpoint: true`: a trial holds a process only while a
/// job of it runs, and a new process continues from the trial's checkpoint directory.
@Suite struct CommandCheckpointTests {
    /// A checkpointing training program: it reads its last resource from `$ASHB_CHECKPOINT_DIR/state`,
    /// records "<trial> <resource it starts after>" in starts.txt, and per step saves the state (by
    /// rename) before it writes the line, up to its job's resource, then lingers until it is ended
    /// (which takes it 0.1 s).
    /// value = (x − 0.3)² + 1/r.
    static let program = """
        d="$ASHB_CHECKPOINT_DIR"
        r=0
        if [ -f "$d/state" ]; then r=$(cat "$d/state"); fi
        echo "$ASHB_TRIAL $r" >> "$(dirname "$0")/starts.txt"
        x=$(echo "$ASHB_CONFIG" | sed 's/.*"x":\\([-0-9.e]*\\).*/\\1/')
        while [ $r -lt $ASHB_JOB_RESOURCE ]; do
            r=$((r + 1))
            echo $r > "$d/state.tmp" && mv "$d/state.tmp" "$d/state"
            awk -v x="$x" -v r="$r" 'BEGIN { printf "{\\"resource\\": %d, \\"value\\": %.17g}\\n", r, (x - 0.3) ^ 2 + 1 / r }'
        done
        # Linger after the last line, and take a moment to exit on SIGTERM (as a program that saves on
        # SIGTERM might): a slot that did not wait for the end would overlap it with its next process.
        trap 'sleep 0.1; exit 0' TERM
        sleep 1
        """

    private func directory(_ text: String = Self.program) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ashb-ckpt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/train.sh", atomically: true, encoding: .utf8)
        return dir
    }

    private func space() throws -> SearchSpace {
        try SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])
    }

    private func objective(_ dir: String) throws -> CommandObjective {
        var objective = try CommandObjective(
            run: "/bin/sh train.sh", maxResource: 9, graceSeconds: 2, checkpoint: true, baseDirectory: dir)
        objective.runDirectory = dir + "/run"
        return objective
    }

    /// The process groups that hold a process of the run in `runDirectory`: the distinct groups of the
    /// processes whose environment names it (other tests' children run at the same time).
    private func ownedGroups(_ runDirectory: String) -> Int {
        let marker = Array("ASHB_RUN_DIR=\(runDirectory)\u{0}".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var groups = Set<Int32>()
        for name in entries {
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { continue }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", let pgrp = Int32(fields[2]) else { continue }
            if [UInt8](environ).firstRange(of: marker) != nil { groups.insert(pgrp) }
        }
        return groups.count
    }

    @Test(.timeLimit(.minutes(3)))
    func promotionRunHoldsAtMostOneProcessPerWorkerAndRestartsContinue() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recorder = Recorder()
        let workers = 4
        let tuner = try Tuner(
            objective: objective(dir), space: space(), settings: settings(.promotion, trials: 60, maxResource: 9),
            options: TunerOptions(name: "command", workers: workers), backend: .dispatch, sinks: [recorder])
        // Sample the process groups while the run goes on.
        let samples = Samples()
        let done = Atomic()
        let sampler = Thread { [self] in
            while !done.isSet {
                samples.add(ownedGroups(dir + "/run"))
                usleep(2_000)
            }
        }
        sampler.start()
        let summary = tuner.run()
        done.set()
        while !sampler.isFinished { usleep(1_000) }
        #expect(summary.endReason == "finished")
        #expect(samples.count > 5, "the sampler ran during the run")
        #expect(samples.max <= workers, "at most \(workers) process groups at once; saw \(samples.max)")
        #expect(samples.max >= 1)
        #expect(!recorder.events.contains { if case .trialFailed = $0.body { true } else { false } })
        // Every job of a trial started one process, which began after the resource the job started from.
        var expected: [String] = []
        for e in recorder.events {
            if case .jobStarted(let t, _, _, let from, _) = e.body { expected.append("\(t) \(from)") }
        }
        let starts = ((try? String(contentsOfFile: dir + "/starts.txt", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
        #expect(starts.sorted() == expected.sorted())
        #expect(expected.contains { !$0.hasSuffix(" 0") }, "some trials were promoted and restarted")
        #expect(ownedGroups(dir + "/run") == 0, "no process left")
        // Only the best trial keeps its checkpoint directory... during the run, ended trials lose theirs.
        let trialDirs = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/run/trials")) ?? []
        let kept = trialDirs.filter { FileManager.default.fileExists(atPath: dir + "/run/trials/\($0)/checkpoint") }
        #expect(kept.count == (summary.counts[.completed] ?? 0) + (summary.counts[.waiting] ?? 0))
    }

    /// A paused trial holds no process; resumed, a new process continues from its checkpoint.
    @Test(.timeLimit(.minutes(2)))
    func pausedTrialHoldsNoProcessAndResumesFromItsCheckpoint() throws {
        // One step every 0.1 s, so that the pause lands mid-job.
        let dir = try directory(Self.program.replacingOccurrences(of: "r=$((r + 1))", with: "sleep 0.1; r=$((r + 1))"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recorder = Recorder()
        let tuner = try Tuner(
            objective: objective(dir), space: space(), settings: settings(.stopping, trials: 1, maxResource: 9),
            options: TunerOptions(name: "command", workers: 1), backend: .dispatch, sinks: [recorder])
        tuner.start()
        _ = try #require(recorder.waitFor { if case .metric(0, 2, _) = $0.body { true } else { false } })
        tuner.send(.pauseTrial(0))
        _ = try #require(recorder.waitFor { if case .trialPaused(0, .user) = $0.body { true } else { false } })
        _ = try #require(recorder.waitFor { if case .jobEnded(0, _) = $0.body { true } else { false } })
        let deadline = Date().addingTimeInterval(10)
        while ownedGroups(dir + "/run") > 0, Date() < deadline { usleep(10_000) }
        #expect(ownedGroups(dir + "/run") == 0, "a paused trial holds no process")
        let pausedAt =
            recorder.events.compactMap { e -> Int? in
                if case .metric(0, let r, _) = e.body { return r }
                return nil
            }.max() ?? 0
        tuner.send(.resumeTrial(0))
        let summary = tuner.waitUntilEnded()
        #expect(summary.endReason == "finished")
        let starts = ((try? String(contentsOfFile: dir + "/starts.txt", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
        #expect(starts == ["0 0", "0 \(pausedAt)"], "the second process started at the paused resource")
        #expect(!recorder.events.contains { if case .trialFailed = $0.body { true } else { false } })
    }

    @Test("A restarted program that reports a resource it reported already fails, naming the restart")
    func restartMustContinue() throws {
        // A program that ignores its checkpoint: a restart reports resource 1 again.
        let dir = try directory(
            """
            r=0
            while [ $r -lt $ASHB_MAX_RESOURCE ]; do r=$((r + 1)); echo "{\\"resource\\": $r, \\"value\\": 1}"; done
            """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recorder = Recorder()
        let tuner = try Tuner(
            objective: objective(dir), space: space(), settings: settings(.promotion, trials: 9, maxResource: 9),
            options: TunerOptions(name: "command", workers: 1, maxFailures: nil), backend: .dispatch,
            sinks: [recorder])
        _ = tuner.run()
        let reasons = recorder.events.compactMap { e -> String? in
            if case .trialFailed(_, let reason) = e.body { return reason }
            return nil
        }
        let reason = try #require(reasons.first)
        #expect(reason.contains("restarted after resource 1, its first step reported resource 1"), "\(reason)")
        #expect(reason.contains("ASHB_CHECKPOINT_DIR"))
    }
}

/// Counts seen by a sampler thread.
final class Samples: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ v: Int) {
        lock.lock()
        values.append(v)
        lock.unlock()
    }
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return values.count
    }
    var max: Int {
        lock.lock()
        defer { lock.unlock() }
        return values.max() ?? 0
    }
}

/// A flag set once, read from another thread.
final class Atomic: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// Live changes of the number of workers stay within `maxWorkers` (the GPU groups).
@Suite struct WorkerLimitTests {
    /// The events of a simulated run of `workers` slots (at most 3) that was asked for `asked` workers.
    private func run(workers: Int, asking asked: Int) throws -> [RunEvent] {
        let recorder = Recorder()
        let objective = BowlObjective()
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings(.promotion, trials: 30),
            options: TunerOptions(name: "test", workers: workers, maxWorkers: 3), backend: .simulated,
            sinks: [recorder])
        tuner.send(.setWorkers(asked))
        _ = tuner.run()
        return recorder.events
    }

    private func workerCounts(_ events: [RunEvent]) -> [Int] {
        events.compactMap { e -> Int? in
            if case .workersChanged(let n, _) = e.body { return n }
            return nil
        }
    }

    @Test func setWorkersIsCappedByMaxWorkers() throws {
        #expect(workerCounts(try run(workers: 2, asking: 8)) == [3])
    }

    /// A request beyond the cap, once the cap is reached, changes nothing and says why in a message.
    @Test func setWorkersAtTheCapSaysWhy() throws {
        let events = try run(workers: 3, asking: 4)
        #expect(workerCounts(events).isEmpty)
        let texts = events.compactMap { e -> String? in
            if case .message(nil, let text) = e.body { return text }
            return nil
        }
        #expect(texts.contains { $0.contains("asked for 4 workers") && $0.contains("at most 3") }, "\(texts)")
    }
}
