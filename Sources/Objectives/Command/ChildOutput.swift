import Foundation

/// Reads a child's standard output line by line while draining its standard error into a bounded
/// tail, so that the child never blocks on a full error pipe while the reader waits for a line.
///
/// Used by one thread at a time (the job stepping the trial).
struct ChildOutput {
    /// What reading the next line gave.
    enum Line: Equatable {
        /// A complete line, without its newline.
        case line([UInt8])
        /// More than `maxLineBytes` bytes arrived without a newline.
        case tooLong
        /// Standard output was closed (a last line without a newline is returned first).
        case end
        /// The caller's `idle` check asked to stop waiting (e.g. the trial was cancelled).
        case abandoned
    }

    private let stdoutFD: Int32
    private let stderrFD: Int32
    /// The longest line accepted, in bytes.
    let maxLineBytes: Int
    /// How much of standard error is kept (the last bytes).
    let stderrTailBytes: Int
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var stdoutOpen = true
    private var stderrOpen = true
    /// The last `stderrTailBytes` bytes the child wrote to standard error.
    private(set) var stderrTail: [UInt8] = []
    /// Where everything the child writes to standard error is also kept (the trial's `stderr.log`).
    var stderrLog: StderrLog?

    init(stdoutFD: Int32, stderrFD: Int32, maxLineBytes: Int, stderrTailBytes: Int) {
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
        self.maxLineBytes = maxLineBytes
        self.stderrTailBytes = stderrTailBytes
    }

    /// The next line of standard output; blocks until one is complete or the pipe closes, calling
    /// `idle` every `idleSeconds` while nothing arrives: when it returns true, waiting stops
    /// (`.abandoned`), so no caller waits on a child without a way out.
    mutating func nextLine(idleSeconds: Double = 0.1, idle: () -> Bool = { false }) -> Line {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                scanned = 0
                return line.count > maxLineBytes ? .tooLong : .line(line)
            }
            scanned = buffer.count
            if buffer.count > maxLineBytes { return .tooLong }
            if !stdoutOpen {
                if buffer.isEmpty { return .end }
                let last = buffer
                buffer = []
                scanned = 0
                return .line(last)
            }
            if !waitAndRead(timeoutMilliseconds: Int32(idleSeconds * 1000)), idle() { return .abandoned }
        }
    }

    /// Reads whatever standard error holds now, without waiting (e.g. after the child exited).
    mutating func drainStderr() {
        while stderrOpen {
            var fds = [pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, 0) > 0 else { return }
            if !readStderr() { return }
        }
    }

    /// Waits until a pipe has data or closes, and reads it; false when the time ran out first.
    private mutating func waitAndRead(timeoutMilliseconds: Int32) -> Bool {
        var fds = [
            pollfd(fd: stdoutOpen ? stdoutFD : -1, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stderrOpen ? stderrFD : -1, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, 2, timeoutMilliseconds)
        if ready == 0 { return false }
        if ready < 0 {
            if errno != EINTR { stdoutOpen = false }
            return true
        }
        if fds[1].revents != 0 { _ = readStderr() }
        if fds[0].revents != 0 {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.append(contentsOf: chunk[..<n])
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                stdoutOpen = false
            }
        }
        return true
    }

    /// Reads one chunk of standard error into the tail; false when the pipe closed.
    private mutating func readStderr() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let n = chunk.withUnsafeMutableBytes { read(stderrFD, $0.baseAddress, $0.count) }
        if n > 0 {
            stderrLog?.append(chunk[..<n])
            stderrTail.append(contentsOf: chunk[..<n])
            if stderrTail.count > stderrTailBytes { stderrTail.removeFirst(stderrTail.count - stderrTailBytes) }
            return true
        }
        if n == 0 || (errno != EINTR && errno != EAGAIN) {
            stderrOpen = false
            return false
        }
        return true
    }
}
