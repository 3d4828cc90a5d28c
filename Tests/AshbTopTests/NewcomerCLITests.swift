import ASHA
import Foundation
import Objectives
import RunLog
import Terminal
import Testing

@testable import AshbTop

/// What a newcomer reads on the command line says what happened.
@Suite("Newcomer CLI")
struct NewcomerCLITests {
    /// `runs/NAME/` (what a shell completes) is the run directory: the paths printed have no `//`.
    @Test func aRunDirectoryWithATrailingSlashNamesItsLogOnce() throws {
        let dir = newDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try RunDirectory.eventsFile(for: dir + "/") == dir + "/events.jsonl")
        #expect(try RunDirectory.eventsFile(for: dir + "//") == dir + "/events.jsonl")
        #expect(try RunDirectory.eventsFile(for: dir) == dir + "/events.jsonl")
        #expect(try RunDirectory.eventsFile(for: "/") == "/events.jsonl")
    }

    /// A run that can be resumed keeps every checkpoint a resume needs, whatever `keep_checkpoints` says:
    /// the summary's `Disk` line must not claim that only the best's was kept.
    @Test func theDiskLineSaysWhatAResumableRunKept() {
        #expect(CheckpointCleanup.keptLabel(.best, resumable: false) == "best")
        #expect(CheckpointCleanup.keptLabel(.none, resumable: false) == "none")
        #expect(CheckpointCleanup.keptLabel(.all, resumable: true) == "all")
        let resumable = CheckpointCleanup.keptLabel(.best, resumable: true)
        #expect(resumable.hasPrefix("best, ") && resumable.contains("resume"))
    }
}

/// A `--runs-dir` that cannot be made is named, with what is in the way (Foundation's message was
/// "The operation could not be completed. (NSCocoaErrorDomain error 512.)").
@Suite("Runs directory errors")
struct RunsDirectoryErrorTests {
    @Test func aFileInTheWayIsNamed() throws {
        let dir = newDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileManager.default.createFile(atPath: dir + "/file", contents: Data()))
        for root in [dir + "/file", dir + "/file/runs"] {
            #expect(throws: CLIError.self) { try RunDirectory.makeDirectories(root) }
            do {
                try RunDirectory.makeDirectories(root)
            } catch let e as CLIError {
                #expect(e.description.contains("'\(dir)/file' exists and is not a directory"), "\(e.description)")
            }
        }
        try RunDirectory.makeDirectories(dir + "/a/b/c")
        try RunDirectory.makeDirectories(dir + "/a/b/c")
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dir + "/a/b/c", isDirectory: &isDir) && isDir.boolValue)
    }
}

/// `attach` has no --headless: when it cannot draw, it must not suggest it.
@Suite("Attach without a terminal")
struct AttachWithoutTerminalTests {
    @Test func theMessageSuggestsWhatAttachCanDo() {
        for error in [TerminalError.notATerminal, .unsupportedTerminal("dumb"), .initializationFailed("x")] {
            let message = AttachCommand.noDashboardMessage(error, dir: "runs/r")
            #expect(!message.contains("--headless"), "\(message)")
            #expect(message.hasPrefix(error.problem), "\(message)")
            #expect(message.contains("ashb-top replay --follow runs/r"), "\(message)")
            #expect(error.description.contains("--headless"), "run and resume still suggest it")
        }
    }
}

/// A progress line once every trial is sampled does not promise the time budget's end: the run ends when
/// the trials' jobs do (it printed "budget 100% (trials 60/60), ends in 9:50 (time budget)" and ended 0.6 s
/// later).
@Suite("Progress once every trial is sampled")
struct ProgressAllSampledTests {
    func state(trials: Int, maxTrials: Int) -> RunState {
        let info = RunInfo(
            name: "t", objective: "branin", metric: "value", goal: .minimize,
            settings: SchedulerSettings(maxTrials: maxTrials), ladders: [[1, 3, 9]], workers: 1, maxSeconds: 600,
            parameters: ["x"])
        var bodies: [RunEvent.Body] = [.runStarted(info)]
        for t in 0..<trials {
            bodies.append(
                .trialSampled(trial: t, bracket: 0, config: Configuration([.init(name: "x", value: .double(0.5))])))
        }
        return RunState(events: bodies.enumerated().map { RunEvent(seq: $0, time: 10, body: $1) })
    }

    @Test func theTimeBudgetIsABoundOnceEveryTrialIsSampled() {
        let done = HeadlessPrinter.progressText(state(trials: 3, maxTrials: 3), now: 10, rate: 1)
        #expect(done.contains("all trials sampled, ends in 9:50 at the latest"), "\(done)")
        #expect(!done.contains("(time budget)"), "\(done)")
        let sampling = HeadlessPrinter.progressText(state(trials: 2, maxTrials: 3), now: 10, rate: 1)
        #expect(sampling.contains("ends in 9:50 (time budget)"), "\(sampling)")
    }
}
