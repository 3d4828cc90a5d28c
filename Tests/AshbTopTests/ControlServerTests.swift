import CSpawn
import Dashboard
import Foundation
import RunLog
import Testing

@testable import AshbTop

/// The control socket against real sockets: what a viewer gets (log then live, no gap, no duplicate),
/// what it may send, and what happens to clients that break the rules.
@Suite(.serialized) struct ControlServerTests {
    /// A run directory with a log, a server, and a way to emit events to both (the log first, as a run does).
    final class Bench: @unchecked Sendable {
        let dir: String
        let log: LogWriter
        let server: ControlServer
        private let lock = NSLock()
        private var seq = 0
        private var received: [Command] = []

        /// A log of `version`, in segments of `segmentBytes` when given.
        init(dir: String = newDirectory(), version: Int = LogHeader.currentVersion, segmentBytes: Int? = nil) throws {
            self.dir = dir
            log = try LogWriter(
                creating: dir + "/events.jsonl",
                header: LogHeader(version: version, program: "test", spec: "name: t", seed: 1),
                segmentBytes: segmentBytes)
            let box = CommandBox()
            let log = self.log
            server = try ControlServer(
                run: dir, lastSeq: -1, commands: { box.append($0) }, flushLog: { log.flush() })
            commandBox = box
        }
        let commandBox: CommandBox

        /// Emits `n` events (messages numbered by their sequence).
        func emit(_ n: Int) {
            lock.lock()
            defer { lock.unlock() }
            for _ in 0..<n {
                let e = RunEvent(seq: seq, time: Double(seq) / 100, body: .message(trial: nil, text: "event \(seq)"))
                log.receive(e)
                server.receive(e)
                seq += 1
            }
        }

        func end() {
            lock.lock()
            defer { lock.unlock() }
            let e = RunEvent(seq: seq, time: Double(seq) / 100, body: .runEnded(reason: "finished"))
            log.receive(e)
            server.receive(e)
            seq += 1
        }

        func finish() {
            server.finish()
            log.close()
        }
    }

    final class CommandBox: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Command] = []
        func append(_ c: Command) {
            lock.lock()
            items.append(c)
            lock.unlock()
        }
        var all: [Command] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }
    }

    /// Drains `inbox` until an event with `seq` arrives (or 30 s pass: then the test fails on the count).
    func collect(_ inbox: EventInbox, through seq: Int) -> [RunEvent] {
        var got: [RunEvent] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            got += inbox.drain()
            if got.last.map({ $0.seq >= seq }) ?? false { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return got
    }

    /// Reads from `fd` until the server closes it (or 10 s pass); returns what was read.
    func readToEnd(_ fd: Int32) -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func sendRaw(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// In both log versions (version 1: the lines' `seq`; version 2: their places, counted by the catch-up
    /// across the segments the log is rotated into while the viewer reads it).
    @Test(arguments: [1, 2])
    func aViewerGetsTheLogThenLiveEventsWithNoGapAndNoDuplicate(version: Int) throws {
        let bench = try Bench(version: version, segmentBytes: 8192)
        defer { bench.finish() }
        bench.emit(500)
        // Events keep coming while the viewer connects and catches up from the log.
        let emitter = Thread {
            for _ in 0..<50 {
                bench.emit(50)
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
        emitter.start()
        let client = try ControlClient(socketPath: ControlSocket.path(of: bench.dir))
        let inbox = EventInbox()
        client.start(into: inbox)
        let got = collect(inbox, through: 2999)
        #expect(got.map(\.seq) == Array(0..<3000))
        #expect(got.allSatisfy { e in if case .message(nil, "event \(e.seq)") = e.body { true } else { false } })
        #expect(client.pid == getpid())
        #expect(LogSegments.closed(live: bench.dir + "/events.jsonl").count >= 2)
    }

    /// An idle run sends no events: its hello tells a viewer the run's time, so the viewer's elapsed time
    /// is the run's, not the latest event's plus the time since the viewer attached.
    @Test func theHelloCarriesTheRunsClock() throws {
        let bench = try Bench()
        defer { bench.finish() }
        bench.emit(10)  // the latest at t = 0.09
        let emitted = Date()
        Thread.sleep(forTimeInterval: 0.5)  // the run is idle
        let client = try ControlClient(socketPath: ControlSocket.path(of: bench.dir))
        let clock = try #require(client.runClock, "a wall-clock run's hello says its time")
        let expected = 0.09 + Date().timeIntervalSince(emitted)
        #expect(clock > 0.09 + 0.4, "the run's time moved on while no event came")
        #expect(abs(clock - expected) < 0.3, "\(clock) against \(expected)")
        // It goes on with the wall clock.
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try #require(client.runClock) >= clock + 0.15)
        // A hello with no time (an older run) leaves the viewer to count from the events.
        #expect(!String(decoding: Wire.serverHello(pid: 1, run: "r"), as: UTF8.self).contains("\"t\""))
        #expect(String(decoding: Wire.serverHello(pid: 1, run: "r", time: 2.5), as: UTF8.self).contains("\"t\":2.5"))
    }

    /// The simulated clock's time is not the wall's: its hello says no time.
    @Test func aSimulatedRunsHelloSaysNoTime() throws {
        let dir = newDirectory()
        let log = try LogWriter(
            creating: dir + "/events.jsonl",
            header: LogHeader(program: "test", spec: "name: t", seed: 1, simulated: true))
        let server = try ControlServer(run: dir, lastSeq: -1, commands: { _ in }, flushLog: { log.flush() })
        defer {
            server.finish()
            log.close()
        }
        let e = RunEvent(seq: 0, time: 5, body: .message(trial: nil, text: "e"))
        log.receive(e)
        server.receive(e)
        let client = try ControlClient(socketPath: ControlSocket.path(of: dir))
        #expect(client.runClock == nil)
    }

    @Test func commandsFromAViewerReachTheRunAndSeveralViewersSeeTheSameEvents() throws {
        let bench = try Bench()
        defer { bench.finish() }
        bench.emit(10)
        let a = try ControlClient(socketPath: ControlSocket.path(of: bench.dir))
        let b = try ControlClient(socketPath: ControlSocket.path(of: bench.dir))
        let ia = EventInbox()
        let ib = EventInbox()
        a.start(into: ia)
        b.start(into: ib)
        a.send(.pauseTrial(5))
        b.send(.setWorkers(3))
        a.send(.stopRun(reason: "user quit"))
        let deadline = Date().addingTimeInterval(10)
        while bench.commandBox.all.count < 3, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let got = bench.commandBox.all
        #expect(got.count == 3)
        for c: Command in [.pauseTrial(5), .setWorkers(3), .stopRun(reason: .userQuit)] { #expect(got.contains(c)) }
        bench.emit(10)
        bench.end()
        #expect(collect(ia, through: 20).map(\.seq) == Array(0...20))
        #expect(collect(ib, through: 20).map(\.seq) == Array(0...20))
        // The run's end closes the connections after the last event: both viewers saw it.
        bench.server.finish()
        #expect(a.waitUntilClosed(seconds: 10))
        #expect(b.waitUntilClosed(seconds: 10))
    }

    @Test func hostileClientsAreClosedAndTheViewerGoesOn() throws {
        let bench = try Bench()
        defer { bench.finish() }
        let path = ControlSocket.path(of: bench.dir)
        let viewer = try ControlClient(socketPath: path)
        let inbox = EventInbox()
        viewer.start(into: inbox)
        bench.emit(100)

        // Garbage.
        let garbage = try ControlSocket.connect(path)
        sendRaw(garbage, "\u{1b}[2Jhello there\n")
        #expect(readToEnd(garbage).contains(#"{"error":"not valid JSON"#))
        close(garbage)
        // A hello of another version.
        let future = try ControlSocket.connect(path)
        sendRaw(future, #"{"ashb_attach":99}"# + "\n")
        #expect(readToEnd(future).contains("version 99"))
        close(future)
        // A 10 MiB line (after a proper hello).
        let huge = try ControlSocket.connect(path)
        sendRaw(huge, #"{"ashb_attach":1}"# + "\n")
        let chunk = String(repeating: "x", count: 1 << 20)
        for _ in 0..<10 { sendRaw(huge, chunk) }
        #expect(readToEnd(huge).contains("line longer than 4096 bytes"))
        close(huge)
        // A command flood.
        let flood = try ControlSocket.connect(path)
        sendRaw(
            flood, #"{"ashb_attach":1}"# + "\n" + String(repeating: #"{"command":"pause_run"}"# + "\n", count: 1000))
        #expect(readToEnd(flood).contains("commands a second"))
        close(flood)
        #expect(bench.commandBox.all.count <= Int(Wire.commandBurst))
        // A command that is not one.
        let bad = try ControlSocket.connect(path)
        sendRaw(bad, #"{"ashb_attach":1}"# + "\n" + #"{"command":"set_workers","count":-4}"# + "\n")
        #expect(readToEnd(bad).contains("'count'"))
        close(bad)

        // A thousand connections at once: the server takes `maxViewers`, refuses the rest, and goes on.
        var fds: [Int32] = []
        for _ in 0..<1000 {
            if let fd = try? ControlSocket.connect(path) { fds.append(fd) }
        }
        bench.emit(100)
        for fd in fds { close(fd) }
        #expect(fds.count == 1000)
        #expect(bench.server.refusals.tooMany >= 1000 - Wire.maxViewers)
        #expect(bench.server.refusals.broken >= 5)

        // The viewer saw every event, and a new viewer can attach.
        bench.emit(100)
        #expect(collect(inbox, through: 299).map(\.seq) == Array(0..<300))
        #expect(viewer.failureText == nil)
        let late = try ControlClient(socketPath: path)
        let lateInbox = EventInbox()
        late.start(into: lateInbox)
        #expect(collect(lateInbox, through: 299).map(\.seq) == Array(0..<300))
    }

    @Test func theSocketIsOwnerOnlyAndAPathTooLongForSunPathStillWorks() throws {
        var dir = newDirectory()
        while dir.utf8.count < 120 { dir += "/deeper-directory" }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let bench = try Bench(dir: dir)
        defer { bench.finish() }
        var st = stat()
        #expect(lstat(ControlSocket.directory(of: dir), &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)
        #expect(lstat(bench.server.socketPath, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(st.st_mode & S_IFMT == S_IFSOCK)
        bench.emit(3)
        let client = try ControlClient(socketPath: bench.server.socketPath)
        let inbox = EventInbox()
        client.start(into: inbox)
        #expect(collect(inbox, through: 2).map(\.seq) == [0, 1, 2])
        #expect(ControlSocket.admits(peerUID: 1000, owner: 1000))
        #expect(ControlSocket.admits(peerUID: 0, owner: 1000))
        #expect(!ControlSocket.admits(peerUID: 1001, owner: 1000))
    }

    /// The catch-up reads the log's lines as they are: the header and non-event lines are passed over, and
    /// it stops at the event it was asked for.
    @Test func theLogCursorCopiesEventLinesUpToTheOneAskedFor() throws {
        let path = temporaryFile(
            "events.jsonl",
            #"{"ashb_log":1}"# + "\n" + #"{"seq":0,"t":0,"type":"x"}"# + "\n\n" + "not json\n"
                + #"{"seq":1,"t":1,"type":"y"}"# + "\n" + #"{"seq":2,"t":2,"type":"z"}"# + "\n" + #"{"seq":3,"#)
        let cursor = try LogLineCursor(path: path)
        var out: [UInt8] = []
        #expect(try cursor.copy(upTo: 1, into: &out, budget: 1 << 20))
        #expect(
            String(decoding: out, as: UTF8.self) == #"{"seq":0,"t":0,"type":"x"}"# + "\n"
                + #"{"seq":1,"t":1,"type":"y"}"# + "\n")
        #expect(LogLineCursor.sequenceNumber(ArraySlice(#"{"seq":42,"t":1}"#.utf8)) == 42)
        #expect(LogLineCursor.sequenceNumber(ArraySlice(#"{"seq":-1,"t":1}"#.utf8)) == nil)
        #expect(LogLineCursor.sequenceNumber(ArraySlice(#"{"seq":1"#.utf8)) == nil)
        #expect(LogLineCursor.sequenceNumber(ArraySlice(#"{"t":1,"seq":1,}"#.utf8)) == nil)
        // Asked for more than is there: the torn last line is not copied, and the end of the file ends it.
        let rest = try LogLineCursor(path: path)
        var all: [UInt8] = []
        #expect(try rest.copy(upTo: 10, into: &all, budget: 1 << 20))
        #expect(String(decoding: all, as: UTF8.self).split(separator: "\n").count == 3)
    }

    /// In a version 2 log an event's number is its place: the cursor counts non-empty lines (a corrupt one
    /// too, which it does not send) and puts each event's `seq` in front of its members.
    @Test func theLogCursorNumbersVersion2LinesByTheirPlace() throws {
        let path = temporaryFile(
            "events.jsonl",
            #"{"ashb_log":2}"# + "\n" + #"{"t":0.0,"type":"x"}"# + "\n\n" + "not json\n" + #"{"t":1.5,"type":"y"}"#
                + "\n" + #"{"t":2.0,"type":"z"}"# + "\n" + #"{"t":3"#)
        let cursor = try LogLineCursor(path: path)
        var out: [UInt8] = []
        #expect(try cursor.copy(upTo: 2, into: &out, budget: 1 << 20))
        #expect(
            String(decoding: out, as: UTF8.self) == #"{"seq":0,"t":0.0,"type":"x"}"# + "\n"
                + #"{"seq":2,"t":1.5,"type":"y"}"# + "\n")
        // Batches of a small budget go on where the last one stopped; the torn last line is not copied.
        let rest = try LogLineCursor(path: path)
        var first: [UInt8] = []
        #expect(try !rest.copy(upTo: 10, into: &first, budget: 10))
        var second: [UInt8] = []
        #expect(try rest.copy(upTo: 10, into: &second, budget: 1 << 20))
        #expect(
            String(decoding: first + second, as: UTF8.self).split(separator: "\n").map { $0.prefix(8) } == [
                #"{"seq":0"#, #"{"seq":2"#, #"{"seq":3"#,
            ])
        #expect(LogLineCursor.isObjectWithMembers(ArraySlice(#"{"t":1}"#.utf8)))
        #expect(!LogLineCursor.isObjectWithMembers(ArraySlice("{}".utf8)))
        #expect(!LogLineCursor.isObjectWithMembers(ArraySlice("[1]".utf8)))
    }

    /// A dead run whose process is a zombie (adopted by an init that does not reap) holds no lock: `ls`
    /// says it died and `resume` may take it over.
    @Test func aZombieIsNotALiveProcess() throws {
        var args: [UnsafeMutablePointer<CChar>?] = [strdup("true"), nil]
        defer { free(args[0]) }
        let pid = ashb_spawn(&args, nil, 1)
        try #require(pid > 0)
        #expect(RunStatus.isAlive(getpid()))
        let deadline = Date().addingTimeInterval(10)
        while RunStatus.isAlive(pid), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(kill(pid, 0) == 0, "a zombie still answers kill 0")
        #expect(!RunStatus.isAlive(pid))
        #expect(ashb_wait(pid) == 0)
    }

    /// As root: `nobody` cannot reach the socket (owner-only directory), and even with the permissions
    /// opened up the server refuses it by its credentials (SO_PEERCRED).
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anotherUserCannotConnect() throws {
        let bench = try Bench()
        defer { bench.finish() }
        bench.emit(5)
        chmod(bench.dir, 0o755)
        let attach = [
            "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", try ashbTopBinary(), "attach",
            bench.dir,
        ]
        let denied = try runProgram(attach)
        #expect(denied.status == 1)
        #expect(denied.err.contains("Permission denied"), "\(denied.err)")
        #expect(bench.server.refusals.notOwner == 0)
        // Open the directory and the socket to everyone: the kernel lets nobody connect, the server does not.
        chmod(ControlSocket.directory(of: bench.dir), 0o711)
        chmod(bench.server.socketPath, 0o666)
        let refused = try runProgram(attach)
        #expect(refused.status == 1)
        #expect(refused.err.contains("closed the connection") || refused.err.contains("no hello"), "\(refused.err)")
        #expect(bench.server.refusals.notOwner == 1)
    }
}

/// Runs a program (stdin empty) and waits for it.
func runProgram(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: args[0])
    p.arguments = Array(args.dropFirst())
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
