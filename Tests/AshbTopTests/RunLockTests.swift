import Foundation
import RunLog
import Testing

@testable import AshbTop

/// Two `resume`s of one run at the same moment (issue 10, item 1): exactly one writes the log.
@Suite(.serialized) struct RunLockTests {
    static let spec = """
        name: pairs
        objective: {name: branin, cost: 0.5}
        scheduler: {variant: promotion, max_resource: 27}
        workers: 4
        budget: {trials: 60}
        seed: 3
        clock: simulated
        """

    /// A run log cut after its first `lines` lines, as a killed run leaves it.
    static func interruptedLog(lines: Int) throws -> String {
        let root = newDirectory()
        let r = try runAshbTop(["run", temporaryFile("s.yaml", spec), "--headless", "--runs-dir", root])
        try #require(r.status == 0, "\(r.err)")
        let text = try String(contentsOfFile: try onlyRun(in: root) + "/events.jsonl", encoding: .utf8)
        let cut = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(lines)
        return cut.joined(separator: "\n") + "\n"
    }

    /// The pid of a process that has exited (a stale lock names it).
    static func deadPid() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    /// Starts `ashb-top resume DIR --headless`, output discarded.
    static func startResume(_ dir: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
        p.arguments = ["resume", dir, "--headless"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    @Test func twoHundredSimultaneousResumePairsLeaveEveryLogParseable() throws {
        let log = try Self.interruptedLog(lines: 150)
        let stale = "\(try Self.deadPid())\n"
        let pairs = 200
        let dirs = (0..<pairs).map { _ in newDirectory() }
        for d in dirs {
            try log.write(toFile: d + "/events.jsonl", atomically: false, encoding: .utf8)
            try stale.write(toFile: d + "/lock", atomically: false, encoding: .utf8)  // left by the killed run
        }
        var statuses: [[Int32]] = []
        // A few pairs at a time: each pair's two processes start together.
        for batch in stride(from: 0, to: pairs, by: 4) {
            var running: [(Process, Process)] = []
            for d in dirs[batch..<min(pairs, batch + 4)] {
                running.append((try Self.startResume(d), try Self.startResume(d)))
            }
            for (a, b) in running {
                a.waitUntilExit()
                b.waitUntilExit()
                statuses.append([a.terminationStatus, b.terminationStatus])
            }
        }
        var bad: [String] = []
        for (i, d) in dirs.enumerated() {
            do {
                let reader = try LogReader(path: d + "/events.jsonl")
                let events = try reader.readAll()
                let ends = events.filter { if case .runEnded = $0.body { true } else { false } }.count
                let seqs = events.map(\.seq)
                if !reader.warnings.isEmpty || ends != 1 || seqs != Array(0..<seqs.count) {
                    bad.append("\(d): \(ends) run_ended, warnings \(reader.warnings)")
                }
            } catch {
                bad.append("\(d): \(error)")
            }
            // Both may succeed only one after the other (the second finds the run finished).
            #expect(statuses[i].contains(0), "\(d): exit statuses \(statuses[i])")
            #expect(!FileManager.default.fileExists(atPath: d + "/lock"), "\(d): lock left behind")
        }
        #expect(bad.isEmpty, "\(bad.count) of \(pairs) logs broken, e.g. \(bad.prefix(3))")
    }

    @Test func aHeldLockIsRefusedAndAStaleOneTakenOver() throws {
        let dir = newDirectory()
        let first = try RunLock(directory: dir)
        let second = #expect(throws: CLIError.self) { _ = try RunLock(directory: dir) }
        #expect(second?.description.contains("being written by a live process (pid \(getpid())") == true)
        first.release()
        #expect(!FileManager.default.fileExists(atPath: dir + "/lock"))
        // A lock file left by a killed process (nobody holds it) is taken over.
        try "\(try Self.deadPid())\n".write(toFile: dir + "/lock", atomically: false, encoding: .utf8)
        let third = try RunLock(directory: dir)
        #expect(try String(contentsOfFile: dir + "/lock", encoding: .utf8) == "\(getpid())\n")
        third.release()
    }

    @Test func aResumeRefusesALogReplacedWhileItWasFolded() throws {
        let dir = newDirectory()
        let log = try Self.interruptedLog(lines: 150)
        try log.write(toFile: dir + "/events.jsonl", atomically: false, encoding: .utf8)
        let reader = try LogReader(path: dir + "/events.jsonl")
        _ = try reader.readAll()
        #expect(throws: Never.self) { try ResumeCommand.checkUnchanged(reader) }
        // Another writer appended meanwhile.
        let h = try #require(FileHandle(forWritingAtPath: dir + "/events.jsonl"))
        h.seekToEndOfFile()
        h.write(Data("{\"seq\":999}\n".utf8))
        try h.close()
        let grown = #expect(throws: CLIError.self) { try ResumeCommand.checkUnchanged(reader) }
        #expect(grown?.description.contains("changed while it was read") == true)
        // Replaced by another file.
        try log.write(toFile: dir + "/events.jsonl", atomically: true, encoding: .utf8)
        #expect(throws: CLIError.self) { try ResumeCommand.checkUnchanged(reader) }
    }
}

/// Many threads of this process race for one run's lock, as separate processes would (each `RunLock`
/// opens its own descriptor): at most one may hold it at any moment.
@Suite struct RunLockRaceTests {
    @Test func racingTakersNeverBothHoldTheLock() throws {
        let dir = newDirectory()
        let stale = "\(try RunLockTests.deadPid())\n"
        var doubleHolds = 0
        for _ in 0..<200 {
            try stale.write(toFile: dir + "/lock", atomically: false, encoding: .utf8)
            let takers = 4
            let start = DispatchGroup()
            let attempted = DispatchGroup()
            let gate = DispatchSemaphore(value: 0)
            let holders = Holders()
            for _ in 0..<takers {
                start.enter()
                attempted.enter()
                Thread.detachNewThread {
                    start.leave()
                    gate.wait()
                    let lock = try? RunLock(directory: dir)
                    if let lock { holders.add(lock) }
                    attempted.leave()
                }
            }
            start.wait()
            for _ in 0..<takers { gate.signal() }
            attempted.wait()
            if holders.count > 1 { doubleHolds += 1 }
            holders.releaseAll()
        }
        #expect(doubleHolds == 0, "two takers held the lock at once in \(doubleHolds) of 200 races")
    }
}

/// Locks taken by racing threads, kept until every thread has tried.
final class Holders: @unchecked Sendable {
    private let lock = NSLock()
    private var locks: [RunLock] = []
    func add(_ l: RunLock) {
        lock.lock()
        locks.append(l)
        lock.unlock()
    }
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return locks.count
    }
    func releaseAll() {
        lock.lock()
        defer { lock.unlock() }
        for l in locks { l.release() }
        locks = []
    }
}

/// A forged log cannot make a resume allocate or spin (issue 10, item 6).
@Suite struct ForgedLogResumeTests {
    @Test(arguments: [
        // Lines of the log's version (2: no `seq`).
        "{\"t\":9.0,\"type\":\"workers\",\"count\":100000000,\"by\":\"user\"}",
        "{\"t\":9.0,\"type\":\"job_started\",\"trial\":0,\"worker\":100000000,\"rung\":0,\"from\":0,\"to\":1}",
    ])
    func forgedNumbersAreRefusedWithTheirLine(forged: String) throws {
        let dir = newDirectory()
        let log = try RunLockTests.interruptedLog(lines: 150)
        try (log + forged + "\n").write(toFile: dir + "/events.jsonl", atomically: false, encoding: .utf8)
        let r = try runAshbTop(["resume", dir, "--headless"])
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains("events.jsonl:151: not a valid event:"), "\(r.err)")
        #expect(r.err.contains("100000000 is outside"), "\(r.err)")
    }
}
