import CZlib
import Foundation

/// Compresses a run log's closed segments in the background, one at a time, on a thread of the lowest
/// CPU priority (nice 19), so that it uses what the run leaves idle.
///
/// Crash safety: segment N is written to `events-N.jsonl.gz.tmp`, fsynced, renamed to `events-N.jsonl.gz`
/// (the directory fsynced), and only then is the plain `events-N.jsonl` deleted. A `kill -9` at any point
/// leaves the plain segment, the compressed one, or both (readers prefer the plain one); a `.gz.tmp` is
/// never read, and the next writer of the log (a resume) deletes it and compresses the segment again.
final class LogCompressor: @unchecked Sendable {
    /// zlib's level 1: ~5× smaller for a run log at ~150 MB/s on one core (level 6: ~6.6× at ~54 MB/s).
    static let level = 1
    private let live: String
    private let condition = NSCondition()
    private var queue: [Int] = []
    private var stopping = false
    private var threadRunning = false
    private var failure: String?

    init(live: String) { self.live = live }

    /// The first error met (the segment stays plain; nothing more is compressed), if any.
    var error: String? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Queues closed segment `number` for compression.
    func enqueue(_ number: Int) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, failure == nil else { return }
        queue.append(number)
        if !threadRunning {
            threadRunning = true
            let thread = Thread { [self] in work() }
            thread.name = "ashb.log.compress"
            thread.start()
        }
        condition.broadcast()
    }

    /// Stops: the segment being compressed is given up (its `.gz.tmp` removed; it stays plain), queued ones
    /// stay plain. Returns when the thread has ended.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while threadRunning { condition.wait() }
    }

    /// Compresses every queued segment and then returns (for tests and for a writer that wants to finish).
    func drain() {
        condition.lock()
        defer { condition.unlock() }
        while threadRunning && !queue.isEmpty && failure == nil { condition.wait() }
        while busy { condition.wait() }
    }

    private var busy = false

    /// Waits, at most `timeout` seconds, until fewer than `limit` segments are queued or being compressed
    /// (the writer's back-pressure: a run whose log outruns the compressor waits for it rather than fill
    /// the disk with plain segments). Returns at once when stopping or after a failure.
    func waitForBacklog(below limit: Int, timeout: Double) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while queue.count + (busy ? 1 : 0) >= limit && !stopping && failure == nil {
            if !condition.wait(until: deadline) { return }
        }
    }

    private var shouldStop: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    private func work() {
        _ = ashb_lower_thread_priority()
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if stopping || failure != nil {
                threadRunning = false
                busy = false
                condition.broadcast()
                condition.unlock()
                return
            }
            let n = queue.removeFirst()
            busy = true
            condition.unlock()
            let result = compress(n)
            condition.lock()
            busy = false
            if let result, failure == nil { failure = result }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Compresses segment `number`; an error message, or nil when done or given up on a stop.
    func compress(_ number: Int) -> String? {
        let plain = LogSegments.plainPath(live: live, number: number)
        let compressed = plain + ".gz"
        let temporary = compressed + ".tmp"
        let source = open(plain, O_RDONLY | O_CLOEXEC)
        if source < 0 { return errno == ENOENT ? nil : "\(plain): cannot read: \(String(cString: strerror(errno)))" }
        defer { close(source) }
        let out = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if out < 0 { return "\(temporary): cannot create: \(String(cString: strerror(errno)))" }
        var ok = false
        defer {
            close(out)
            if !ok { unlink(temporary) }
        }
        guard let z = gzdopen(dup(out), "wb\(Self.level)") else { return "\(temporary): cannot compress" }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var problem: String?
        while problem == nil {
            if shouldStop {
                gzclose(z)
                return nil
            }
            let n = buffer.withUnsafeMutableBytes { Foundation.read(source, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                problem = "\(plain): cannot read: \(String(cString: strerror(errno)))"
                break
            }
            if n == 0 { break }
            let w = buffer.withUnsafeBytes { gzwrite(z, $0.baseAddress!, UInt32(n)) }
            if w != Int32(n) { problem = "\(temporary): write failed" }
        }
        if gzclose(z) != Z_OK, problem == nil { problem = "\(temporary): write failed" }
        if let problem { return problem }
        if fsync(out) != 0 { return "\(temporary): fsync failed: \(String(cString: strerror(errno)))" }
        if rename(temporary, compressed) != 0 {
            return "\(compressed): cannot rename: \(String(cString: strerror(errno)))"
        }
        ok = true
        let (directory, _) = LogSegments.stem(of: live)
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
        unlink(plain)
        return nil
    }
}
