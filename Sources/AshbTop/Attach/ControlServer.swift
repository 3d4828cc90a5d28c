import CAttach
import Foundation
import RunLog
import TextSafety

/// The run's control socket: attached dashboards connect here, get every event of the run (what the log
/// holds, then live events, with no gap and no duplicate) and send commands.
///
/// One thread polls the listening socket and every connection (non-blocking). Untrusted peers: only the
/// run's owner and root are admitted (`SO_PEERCRED`); a line is at most `Wire.maxClientLine` bytes; at
/// most `Wire.commandsPerSecond` commands a second; at most `Wire.maxViewers` connections; a hello within
/// `Wire.helloSeconds`. A connection that breaks a rule gets one error line and is closed; the run and
/// the other viewers go on.
///
/// No gap, no duplicate: when a viewer says hello, the server notes the last event handed to it (`until`)
/// and from then on queues every later event for the viewer. The log sink receives each event before
/// this one (it is added first), so once the log is flushed the file holds every event up to `until`:
/// those are read back from the file, then the queue follows.
final class ControlServer: EventSink, @unchecked Sendable {
    /// The socket's path.
    let socketPath: String
    private let runPath: String
    private let eventsPath: String
    /// How live events are sent: as version 1 log lines (with `seq`), their times as the run's log keeps
    /// them (a version 2 wall-clock log: to the microsecond), so a viewer sees the events a reader of the
    /// log sees, whether they came from the log or live.
    private let wireFormat: EventLineFormat
    /// The run's events are stamped with wall-clock time, so the hello can tell a viewer the run's time now.
    private let wallClock: Bool
    private let commands: @Sendable (Command) -> Void
    private let flushLog: @Sendable () -> Void
    private let listenFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    // Shared with the tuner's sink calls, under `lock`.
    private let lock = NSLock()
    private var lastSeq: Int
    /// The latest event's time and when (uptime, ns) it arrived: the run's clock now is the one plus the
    /// wall time since the other (the tuner hands each event to its sinks as it stamps it).
    private var lastTime: Double?
    private var lastArrival: UInt64 = 0
    private var streaming: [Int32: Viewer] = [:]
    private var wakePending = false
    private var stopping = false
    private var encoder = JSONWriter(reserving: 1024)

    private var refused = Refusals()
    private var flushDeadline: UInt64 = 0

    /// Connections refused or closed for breaking a rule so far.
    var refusals: Refusals {
        lock.lock()
        defer { lock.unlock() }
        return refused
    }

    /// What the server closed connections for.
    struct Refusals {
        var notOwner = 0
        var tooMany = 0
        var broken = 0
    }

    /// One connection. `pending` and `overflow` are shared with the sink (under the server's lock);
    /// the rest belongs to the server thread.
    private final class Viewer {
        let fd: Int32
        let connected = DispatchTime.now().uptimeNanoseconds
        var hello = false
        var input: [UInt8] = []
        var output: [UInt8] = []
        var outputHead = 0
        /// Events up to this sequence number come from the log file.
        var until = -1
        var catchUp: LogLineCursor?
        var tokens = Wire.commandBurst
        var lastRefill = DispatchTime.now().uptimeNanoseconds
        /// Live events queued by the sink.
        var pending: [UInt8] = []
        var overflow = false
        init(fd: Int32) { self.fd = fd }
        var hasOutput: Bool { outputHead < output.count }
    }

    /// Listens on `RUN/control/socket` (a stale socket from a dead process is replaced). `lastSeq` is the
    /// sequence number of the last event already in the log (-1 for a new run); `commands` receives what
    /// viewers ask for; `flushLog` must hand every event the log sink received to the file.
    init(
        run: String, lastSeq: Int, commands: @escaping @Sendable (Command) -> Void,
        flushLog: @escaping @Sendable () -> Void
    ) throws {
        runPath = run
        eventsPath = run + "/events.jsonl"
        let header = (try? LogReader(path: eventsPath))?.header
        let logFormat = header?.lineFormat ?? .withSeq
        wireFormat = EventLineFormat(seqOnLine: true, microseconds: logFormat.microseconds)
        wallClock = !(header?.simulated ?? false)
        self.lastSeq = lastSeq
        self.commands = commands
        self.flushLog = flushLog
        try ControlSocket.prepareDirectory(of: run)
        socketPath = ControlSocket.path(of: run)
        unlink(socketPath)
        let fd = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CLIError("cannot make the control socket: \(String(cString: strerror(errno)))") }
        let path = socketPath
        let bound = ControlSocket.withAddress(path) { bind(fd, $0, $1) }
        if bound != 0 || chmod(path, 0o600) != 0 || listen(fd, 128) != 0 {
            let why = String(cString: strerror(errno))
            close(fd)
            unlink(path)
            throw CLIError("cannot listen on '\(Sanitizer.clean(path, maxColumns: 200))': \(why)")
        }
        listenFD = fd
        var p: [Int32] = [0, 0]
        guard ashb_pipe(&p, 1) == 0 else {
            close(fd)
            unlink(path)
            throw CLIError("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        wakeRead = p[0]
        wakeWrite = p[1]
        let t = Thread { [self] in loop() }
        t.name = "ashb.control"
        thread = t
        t.start()
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    // MARK: - Events from the tuner

    func receive(_ event: RunEvent) {
        // Only a wall-clock run's time is estimated from the arrivals (`runClock`).
        let arrival = wallClock ? DispatchTime.now().uptimeNanoseconds : 0
        lock.lock()
        lastSeq = event.seq
        lastTime = event.time
        lastArrival = arrival
        var wake = false
        if !streaming.isEmpty {
            encoder.reset()
            EventCodec.encode(event, into: &encoder, format: wireFormat)
            encoder.appendNewline()
            for v in streaming.values where !v.overflow {
                if v.pending.count + encoder.bytes.count > Wire.maxBacklogBytes {
                    v.overflow = true
                    v.pending = []
                } else {
                    v.pending.append(contentsOf: encoder.bytes)
                }
            }
            if !wakePending {
                wakePending = true
                wake = true
            }
        }
        lock.unlock()
        if wake { poke() }
    }

    private func poke() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    /// Stops accepting, gives viewers up to `seconds` to read what is queued for them (the run's end),
    /// closes every connection and removes the socket. Idempotent.
    func finish(seconds: Double = 2) {
        lock.lock()
        let first = !stopping
        stopping = true
        if first { flushDeadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9) }
        lock.unlock()
        guard first else { return }
        poke()
        done.wait()
        done.signal()
    }

    // MARK: - The server thread

    private var viewers: [Int32: Viewer] = [:]

    private func loop() {
        var fds: [pollfd] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var more = false
        while true {
            lock.lock()
            let isStopping = stopping
            let deadline = flushDeadline
            lock.unlock()
            if isStopping {
                for v in viewers.values { refill(v) }
                let flushed = viewers.values.allSatisfy { !$0.hasOutput && $0.catchUp == nil }
                if flushed || DispatchTime.now().uptimeNanoseconds >= deadline { break }
            }
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            if !isStopping { fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)) }
            for v in viewers.values {
                var ev = Int16(POLLIN)
                if v.hasOutput { ev |= Int16(POLLOUT) }
                fds.append(pollfd(fd: v.fd, events: ev, revents: 0))
            }
            let timeout: Int32 = more ? 0 : isStopping ? 50 : 500
            more = false
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0, errno != EINTR { break }
            for p in fds where p.revents != 0 {
                if p.fd == wakeRead {
                    while read(wakeRead, &buffer, buffer.count) > 0 {}
                    lock.lock()
                    wakePending = false
                    lock.unlock()
                } else if p.fd == listenFD {
                    acceptAll()
                } else if let v = viewers[p.fd] {
                    if p.revents & Int16(POLLIN) != 0 || p.revents & Int16(POLLHUP | POLLERR) != 0 {
                        if !readFrom(v, &buffer) { continue }
                    }
                }
            }
            let now = DispatchTime.now().uptimeNanoseconds
            for v in Array(viewers.values) {
                if !v.hello, now &- v.connected > UInt64(Wire.helloSeconds * 1e9) {
                    drop(v, "no hello within \(Int(Wire.helloSeconds)) seconds")
                    continue
                }
                if pump(v) { more = true }
            }
        }
        for v in Array(viewers.values) { closeViewer(v) }
        close(listenFD)
        unlink(socketPath)
        done.signal()
    }

    private func acceptAll() {
        while true {
            let fd = ashb_accept(listenFD)
            if fd < 0 { return }  // EAGAIN (nothing more), or an error on that one connection
            guard let uid = ControlSocket.peerUID(fd), ControlSocket.admits(peerUID: uid) else {
                count(\.notOwner)
                close(fd)
                continue
            }
            if viewers.count >= Wire.maxViewers {
                count(\.tooMany)
                Self.sendNow(fd, Wire.error("too many viewers (\(Wire.maxViewers)); try again later"))
                close(fd)
                continue
            }
            viewers[fd] = Viewer(fd: fd)
        }
    }

    /// Reads what `v` sent and handles its complete lines; false when `v` was closed.
    private func readFrom(_ v: Viewer, _ buffer: inout [UInt8]) -> Bool {
        let n = read(v.fd, &buffer, buffer.count)
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
            closeViewer(v)
            return false
        }
        guard n > 0 else { return true }
        v.input.append(contentsOf: buffer[0..<n])
        var start = 0
        while let nl = v.input[start...].firstIndex(of: 0x0A) {
            if nl - start > Wire.maxClientLine {
                drop(v, "line longer than \(Wire.maxClientLine) bytes")
                return false
            }
            if !handle(v, v.input[start..<nl]) { return false }
            start = nl + 1
        }
        v.input.removeFirst(start)
        if v.input.count > Wire.maxClientLine {
            drop(v, "line longer than \(Wire.maxClientLine) bytes")
            return false
        }
        return true
    }

    /// Handles one line from `v`; false when `v` was closed.
    private func handle(_ v: Viewer, _ line: ArraySlice<UInt8>) -> Bool {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return true }
        let value: JSONValue
        do {
            value = try Wire.parse(line)
        } catch {
            drop(v, "not valid JSON (\(error))")
            return false
        }
        guard v.hello else {
            if let why = Wire.checkHello(value) {
                drop(v, why)
                return false
            }
            startStreaming(v)
            return true
        }
        let command: Command
        do {
            command = try CommandCodec.decode(value)
        } catch {
            drop(v, "not a valid command: \(error.message)")
            return false
        }
        let now = DispatchTime.now().uptimeNanoseconds
        v.tokens = min(Wire.commandBurst, v.tokens + Double(now &- v.lastRefill) / 1e9 * Wire.commandsPerSecond)
        v.lastRefill = now
        guard v.tokens >= 1 else {
            drop(v, "more than \(Int(Wire.commandsPerSecond)) commands a second")
            return false
        }
        v.tokens -= 1
        commands(command)
        return true
    }

    /// After a hello: queue live events for `v` from now on, and read the ones before from the log.
    private func startStreaming(_ v: Viewer) {
        lock.lock()
        v.until = lastSeq
        streaming[v.fd] = v
        let clock = runClock()
        lock.unlock()
        v.hello = true
        flushLog()
        v.output.append(contentsOf: Wire.serverHello(pid: getpid(), run: runPath, time: clock))
        if v.until >= 0 {
            do {
                v.catchUp = try LogLineCursor(path: eventsPath)
            } catch {
                drop(v, "cannot read the run log: \(error)")
            }
        }
    }

    /// The run's time now (seconds since it started, as its events count them), under `lock`: nil before
    /// the first event, and on the simulated clock (whose time is not the wall's).
    private func runClock() -> Double? {
        guard wallClock, let lastTime else { return nil }
        return lastTime + Double(DispatchTime.now().uptimeNanoseconds &- lastArrival) / 1e9
    }

    /// Fills `v`'s output when it is empty: the next batch from the log, else the queued live events.
    private func refill(_ v: Viewer) {
        guard !v.hasOutput, v.hello else { return }
        v.output.removeAll(keepingCapacity: true)
        v.outputHead = 0
        if let cursor = v.catchUp {
            do {
                if try cursor.copy(upTo: v.until, into: &v.output, budget: 1 << 18) { v.catchUp = nil }
            } catch {
                drop(v, "cannot read the run log: \(error)")
                return
            }
            if v.catchUp != nil { return }
        }
        guard v.output.isEmpty else { return }
        lock.lock()
        let overflow = v.overflow
        swap(&v.output, &v.pending)
        lock.unlock()
        if overflow { drop(v, "this viewer fell more than \(Wire.maxBacklogBytes >> 20) MiB behind; attach again") }
    }

    /// Refills and writes `v`'s output until the socket is full, nothing is left, or 4 MiB went out (then
    /// the other viewers get their turn).
    /// Returns true when it stopped for the budget with more to send (the next poll must not wait).
    private func pump(_ v: Viewer) -> Bool {
        var sent = 0
        while sent < 4 << 20 {
            refill(v)
            guard v.hasOutput else { return false }
            let before = v.outputHead
            guard writeTo(v) else { return false }
            if v.hasOutput { return false }  // the socket is full: poll waits until it is writable
            sent += v.outputHead - before
        }
        return true
    }

    /// Writes what it can of `v`'s output; false when `v` was closed.
    private func writeTo(_ v: Viewer) -> Bool {
        let n = v.output[v.outputHead...].withUnsafeBytes { raw in
            Glibc.send(v.fd, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL))
        }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return true }
            closeViewer(v)
            return false
        }
        v.outputHead += n
        return true
    }

    /// Sends `v` one error line (if the socket takes it at once) and closes it.
    private func drop(_ v: Viewer, _ message: String) {
        count(\.broken)
        Self.sendNow(v.fd, Wire.error(message))
        closeViewer(v)
    }

    /// Writes what the socket takes at once (never raising SIGPIPE).
    private static func sendNow(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { raw in Glibc.send(fd, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL)) }
    }

    private func count(_ what: WritableKeyPath<Refusals, Int>) {
        lock.lock()
        refused[keyPath: what] += 1
        lock.unlock()
    }

    private func closeViewer(_ v: Viewer) {
        lock.lock()
        streaming[v.fd] = nil
        lock.unlock()
        viewers[v.fd] = nil
        close(v.fd)
    }
}
