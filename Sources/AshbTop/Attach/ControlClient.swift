import Dashboard
import Foundation
import RunLog
import TextSafety

/// A viewer's end of a run's control socket: says hello, then reads the run's events into an inbox (the
/// same seam the live dashboard reads) on a thread of its own, and sends commands as JSON lines.
final class ControlClient: @unchecked Sendable {
    /// The run's process, as its hello says.
    let pid: Int32
    /// The run directory, as its hello says (untrusted text: for display only, after `Sanitizer.clean`).
    let run: String
    /// The run's time when its hello arrived, and when (uptime, ns) that was; nil when the hello said
    /// none (an older run, or the simulated clock).
    private let helloClock: (time: Double, at: UInt64)?
    private let fd: Int32
    private let writeLock = NSLock()
    private let stateLock = NSLock()
    private var sawEnd = false
    private var closed = false
    private var failure: String?
    private var events = 0
    private let finished = DispatchSemaphore(value: 0)
    /// Bytes read after the hello, not yet a whole line.
    private var leftover: [UInt8]

    /// The longest line accepted from the server (a log line's bound, with room for its framing).
    static let maxLine = LogReader.maxLineBytes + 1024

    /// Connects to `socketPath`, says hello and reads the server's hello (within `seconds`).
    init(socketPath: String, seconds: Double = 5) throws {
        let fd: Int32
        do {
            fd = try ControlSocket.connect(socketPath)
        } catch {
            throw ConnectError.socket(error)
        }
        self.fd = fd
        var hello = Wire.clientHello()
        var buffer: [UInt8] = []
        do {
            guard Self.writeAll(fd, &hello) else { throw ConnectError.protocolError("the run closed the connection") }
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
            var chunk = [UInt8](repeating: 0, count: 4096)
            while buffer.firstIndex(of: 0x0A) == nil {
                let left = Int64(deadline) - Int64(DispatchTime.now().uptimeNanoseconds)
                guard left > 0, buffer.count < 65536 else { throw ConnectError.protocolError("no hello from the run") }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, Int32(left / 1_000_000) + 1) <= 0 { continue }
                let n = read(fd, &chunk, chunk.count)
                guard n > 0 else { throw ConnectError.protocolError("the run closed the connection") }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let nl = buffer.firstIndex(of: 0x0A)!
            let value = try? Wire.parse(buffer[0..<nl])
            guard let value else { throw ConnectError.protocolError("the run's hello is not JSON") }
            if case .string(let e)? = value["error"] { throw ConnectError.refused(e) }
            if let why = Wire.checkHello(value) { throw ConnectError.protocolError(why) }
            guard case .number(_, let p?)? = value["pid"], case .string(let r)? = value["run"] else {
                throw ConnectError.protocolError("the run's hello lacks 'pid' or 'run'")
            }
            pid = Int32(clamping: p)
            run = r
            // Untrusted: a time is used only when it is a plausible run time (finite, ≥ 0, under 100 years).
            if case .number(let t, _)? = value["t"], t.isFinite, t >= 0, t < 3.2e9 {
                helloClock = (t, DispatchTime.now().uptimeNanoseconds)
            } else {
                helloClock = nil
            }
            leftover = Array(buffer[(nl + 1)...])
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// The run's time now, as the run's hello told it and the wall clock has moved on since; nil when the
    /// hello did not say (the dashboard then counts from the latest event).
    var runClock: Double? {
        helloClock.map { $0.time + Double(DispatchTime.now().uptimeNanoseconds &- $0.at) / 1e9 }
    }

    /// Why connecting failed.
    enum ConnectError: Error, CustomStringConvertible {
        case socket(ControlSocket.SocketError)
        case refused(String)
        case protocolError(String)

        var description: String {
            switch self {
            case .socket(let e): return e.description
            case .refused(let why): return "the run refused: \(Sanitizer.clean(why, maxColumns: 200))"
            case .protocolError(let why): return why
            }
        }
    }

    /// Starts reading events into `inbox` on a thread of its own. When the connection ends without the
    /// run's end, a message event says so (the run's process is gone, or closed this viewer).
    func start(into inbox: EventInbox) {
        let t = Thread { [self] in readLoop(inbox) }
        t.name = "ashb.attach"
        t.start()
    }

    private func readLoop(_ inbox: EventInbox) {
        var buffer = leftover
        leftover = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var start = 0
        var lastSeq = -1
        var lastTime = 0.0
        loop: while true {
            while let nl = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<nl]
                start = nl + 1
                guard let value = try? Wire.parse(line) else {
                    fail("a line from the run is not JSON")
                    break loop
                }
                if case .string(let e)? = value["error"] {
                    fail("the run closed this viewer: \(e)")
                    break loop
                }
                guard let event = try? EventCodec.decode(value) else {
                    fail("a line from the run is not a valid event")
                    break loop
                }
                lastSeq = event.seq
                lastTime = event.time
                stateLock.lock()
                events += 1
                if case .runEnded = event.body { sawEnd = true }
                stateLock.unlock()
                inbox.receive(event)
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            if buffer.count > Self.maxLine {
                fail("a line from the run is longer than \(Self.maxLine) bytes")
                break
            }
            let n = read(fd, &chunk, chunk.count)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
        }
        stateLock.lock()
        closed = true
        let ended = sawEnd
        let why = failure
        stateLock.unlock()
        if !ended {
            let text =
                why ?? "the connection to the run was lost (its process ended without recording an end: "
                + "`ashb-top resume` continues it)"
            inbox.receive(RunEvent(seq: lastSeq + 1, time: lastTime, body: .message(trial: nil, text: text)))
        }
        finished.signal()
    }

    private func fail(_ why: String) {
        stateLock.lock()
        if failure == nil { failure = why }
        stateLock.unlock()
    }

    /// Sends a command (from the dashboard's thread). A connection that is gone drops it silently: the
    /// messages pane already says the connection is lost.
    func send(_ command: Command) {
        var w = JSONWriter()
        CommandCodec.encode(command, into: &w)
        w.appendNewline()
        var bytes = w.bytes
        writeLock.lock()
        _ = Self.writeAll(fd, &bytes)
        writeLock.unlock()
    }

    /// Waits until the connection ends (the run ended and closed it, or is gone), at most `seconds`.
    /// Returns whether the run's end (`run_ended`) was seen.
    func waitUntilClosed(seconds: Double) -> Bool {
        if finished.wait(timeout: .now() + seconds) == .success { finished.signal() }
        return endSeen
    }

    /// Whether `run_ended` arrived.
    var endSeen: Bool {
        stateLock.lock()
        defer { stateLock.unlock() }
        return sawEnd
    }

    /// Why the server closed this viewer, if it said.
    var failureText: String? {
        stateLock.lock()
        defer { stateLock.unlock() }
        return failure
    }

    /// Closes the writing side: the server sees this viewer leave (the run goes on).
    func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }

    private static func writeAll(_ fd: Int32, _ bytes: inout [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL))
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
