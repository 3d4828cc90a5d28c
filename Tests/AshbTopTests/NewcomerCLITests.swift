import Foundation
import Objectives
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
