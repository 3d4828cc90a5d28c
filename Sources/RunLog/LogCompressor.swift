import CZstd
import Foundation

/// Compresses a run log's closed segments in the background, one at a time, on a thread of the lowest
/// CPU priority (nice 19), so that it uses what the run leaves idle.
///
/// Segments are written as one zstd frame each (level 1, with its content size and checksum).
///
/// Crash safety: segment N is written to `events-N.jsonl.zst.tmp`, fsynced, renamed to `events-N.jsonl.zst`
/// (the directory fsynced), and only then is the plain `events-N.jsonl` deleted. A `kill -9` at any point
/// leaves the plain segment, the compressed one, or both (readers prefer the plain one); a `.zst.tmp` is
/// never read, and the next writer of the log (a resume) deletes it and compresses the segment again.
final class LogCompressor: @unchecked Sendable {
    /// zstd's level 1: a run log's segment of 8.4 MB becomes 1.15 MB in 0.02 s (gzip -1: 1.56 MB in 0.05 s).
    static let level: Int32 = 1
    private let live: String
    private let condition = NSCondition()
    private var queue: [Int] = []
    private var stopping = false
    private var threadRunning = false
    private var failure: String?

    init(live: String) { self.live = live }

    deinit { if let context { ZSTD_freeCCtx(context) } }

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

    /// Stops: the segment being compressed is given up (its `.zst.tmp` removed; it stays plain), queued ones
    /// stay plain. Returns when the thread has ended.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while threadRunning { condition.wait() }
    }

    /// Stops the background thread and compresses the closed segments still plain (the one it was on, the
    /// queued ones, any an earlier writer left) on the calling thread, at its priority, in order, until
    /// `deadline`; a segment not done by then is given up and stays plain, as do the ones after it. Does
    /// only the stop after a compression error. For the end of a run: the log ends compressed without
    /// waiting on a nice-19 thread, and the exit is delayed by at most the time given.
    func finish(until deadline: DispatchTime) {
        stop()
        guard error == nil else { return }
        for segment in LogSegments.closed(live: live) where segment.plain {
            if DispatchTime.now() >= deadline { return }
            if let problem = compress(segment.number, deadline: deadline) {
                condition.lock()
                if failure == nil { failure = problem }
                condition.unlock()
                return
            }
        }
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

    /// The compression context, reused from segment to segment (used by one thread at a time).
    private var context: OpaquePointer?

    /// Whether a compression should be given up: past `deadline` when there is one, else on a stop.
    private func givingUp(_ deadline: DispatchTime?) -> Bool {
        if let deadline { return DispatchTime.now() >= deadline }
        return shouldStop
    }

    /// Compresses segment `number`; an error message, or nil when done or given up (on a stop, or past
    /// `deadline` when one is given).
    func compress(_ number: Int, deadline: DispatchTime? = nil) -> String? {
        let plain = LogSegments.plainPath(live: live, number: number)
        let compressed = LogSegments.zstPath(live: live, number: number)
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
        if context == nil { context = ZSTD_createCCtx() }
        guard let z = context else { return "\(temporary): cannot compress: out of memory" }
        ZSTD_CCtx_reset(z, ZSTD_reset_session_and_parameters)
        ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, Self.level)
        ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1)
        var status = stat()
        if fstat(source, &status) == 0 { ZSTD_CCtx_setPledgedSrcSize(z, UInt64(status.st_size)) }
        let chunk = 1 << 20
        let input = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        let outputSize = ZSTD_CStreamOutSize()
        let output = UnsafeMutableRawPointer.allocate(byteCount: outputSize, alignment: 16)
        defer {
            input.deallocate()
            output.deallocate()
        }
        var ended = false
        while !ended {
            if givingUp(deadline) { return nil }
            let n = Foundation.read(source, input, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                return "\(plain): cannot read: \(String(cString: strerror(errno)))"
            }
            ended = n == 0
            var from = ZSTD_inBuffer(src: input, size: n, pos: 0)
            while true {
                var to = ZSTD_outBuffer(dst: output, size: outputSize, pos: 0)
                let left = ZSTD_compressStream2(z, &to, &from, ended ? ZSTD_e_end : ZSTD_e_continue)
                if ZSTD_isError(left) != 0 {
                    return "\(plain): cannot compress: \(String(cString: ZSTD_getErrorName(left)))"
                }
                if let problem = POSIXFile.writeAll(out, output, to.pos) {
                    return "\(temporary): write failed: \(problem)"
                }
                if ended ? left == 0 : from.pos == from.size { break }
            }
        }
        if fsync(out) != 0 { return "\(temporary): fsync failed: \(String(cString: strerror(errno)))" }
        if rename(temporary, compressed) != 0 {
            return "\(compressed): cannot rename: \(String(cString: strerror(errno)))"
        }
        ok = true
        POSIXFile.syncDirectory(ofLog: live)
        // A .gz of an older version beside the plain file (killed before its unlink) goes before the plain
        // file does, so a .zst and a .gz of one segment are never left without the plain one.
        unlink(LogSegments.gzPath(live: live, number: number))
        unlink(plain)
        return nil
    }
}
