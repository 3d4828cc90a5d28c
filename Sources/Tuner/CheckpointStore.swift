import Dispatch
import Foundation

/// Keeps trials' checkpoints in one append-only pack file (`<directory>/trials.pack`), serving both a
/// resumed run (which continues trials from their last checkpoint) and the live run's memory (an idle
/// trial's state waits here, not in memory).
///
/// - **Group commit**: `save` only queues the bytes; a background writer appends everything queued as one
///   batch, with one `fdatasync`, at most one batch in flight, at least once a second while anything is
///   queued and at once when `commitSoon()` asks (a pause, the run's end). A trial's newer checkpoint
///   replaces its older one still queued (coalescing), so a run never waits on the disk per checkpoint.
/// - **Bounded memory**: queued and in-flight bytes together stay under `pendingLimit`; a `save` that
///   would pass it waits for the writer (back-pressure) instead of growing the queue.
/// - **Log first**: the writer runs `beforeWrite` (the run's log flush) after taking a batch and before
///   writing it, so a checkpoint never reaches the disk ahead of the events that lead to it.
/// - **Bounded disk**: `remove` forgets a trial that cannot continue; once the pack holds more dead bytes
///   than live ones (and at least `compactAbove`), the writer rewrites it with the live records only.
///   `close(keeping:)` ends with a pack holding only the trials asked for (or none, and no file).
///
/// A record is a 20-byte header (magic `CKP1`, trial, length, FNV-1a checksum of trial, length and
/// bytes) and the bytes. Opening a pack reads every record; the first bad or torn one ends the pack
/// (a crash mid-write loses at most the last batch) and is cut off. A trial's last record wins.
public final class CheckpointStore: @unchecked Sendable {
    /// The largest checkpoint read back, in bytes (a bigger record is treated as corrupt).
    public static let maxBytes = 256 << 20
    /// Default bound on queued and in-flight bytes.
    public static let defaultPendingLimit = 16 << 20
    /// What a queued checkpoint costs besides its bytes (its array and its place in the queue), counted
    /// against the bound so that many tiny checkpoints are bounded too.
    static let entryOverhead = 64

    /// The directory holding the pack.
    public let directory: String
    /// The pack file.
    public let packPath: String
    /// Bytes queued and in flight at most (one checkpoint larger than this is still accepted, alone).
    public let pendingLimit: Int
    /// Dead bytes below which the pack is never compacted.
    let compactAbove: Int

    private struct Slot: Equatable {
        var offset: Int
        var length: Int
        var recordSize: Int { CheckpointStore.headerSize + length }
    }

    static let headerSize = 20
    private static let magic: [UInt8] = Array("CKP1".utf8)

    private let cond = NSCondition()
    private var fd: Int32 = -1
    private var end = 0
    private var index: [Int: Slot] = [:]
    private var pending: [Int: [UInt8]] = [:]
    private var pendingBytes = 0
    private var flying: [Int: [UInt8]] = [:]
    private var flyingBytes = 0
    private var liveBytes = 0
    private var deadBytes = 0
    private var urgent = false
    private var stopping = false
    private var closed = false
    private var lastBatch = DispatchTime.now()
    private var firstError: String?
    private let writerDone = DispatchSemaphore(value: 0)
    private var writerRunning = false

    private let beforeWrite: (@Sendable () -> Void)?
    private let sync: @Sendable (Int32) -> Int32

    /// Counters for benchmarks and tests.
    public struct Stats: Sendable, Equatable {
        /// Batches written (each with one sync).
        public var batches = 0
        /// Syncs of the pack, batches and compactions together.
        public var syncs = 0
        /// Times the pack was rewritten without its dead records.
        public var compactions = 0
        /// Times a `save` waited for the writer because the queue was full.
        public var waits = 0
        /// The most bytes queued and in flight at once.
        public var peakPendingBytes = 0
    }
    private var counters = Stats()

    /// Opens (or creates) the pack in `directory` and reads its records. `beforeWrite` runs on the
    /// writer before each batch is written: the run passes its log's flush. `fileName` names the pack;
    /// `sync` replaces `fdatasync` (tests pass a slow one).
    public init(
        directory: String, fileName: String = "trials.pack", pendingLimit: Int = CheckpointStore.defaultPendingLimit,
        compactAbove: Int = 16 << 20, beforeWrite: (@Sendable () -> Void)? = nil,
        sync: (@Sendable (Int32) -> Int32)? = nil
    ) throws {
        self.directory = directory
        packPath = "\(directory)/\(fileName)"
        self.pendingLimit = max(1, pendingLimit)
        self.compactAbove = compactAbove
        self.beforeWrite = beforeWrite
        self.sync = sync ?? { fdatasync($0) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        unlink(packPath + ".tmp")  // a compaction that a crash interrupted; the pack itself is whole
        fd = open(packPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CheckpointMissing(reason: "cannot open \(packPath): \(String(cString: strerror(errno)))")
        }
        scan()
        writerRunning = true
        let thread = Thread { [self] in writerLoop() }
        thread.name = "ashb.checkpoints"
        thread.start()
    }

    deinit {
        if fd >= 0 { Foundation.close(fd) }
    }

    /// Queues `bytes` as the trial's checkpoint (replacing one still queued). Waits only when the queue
    /// is full. After `close`, does nothing.
    public func save(trial: Int, bytes: [UInt8]) {
        cond.lock()
        defer { cond.unlock() }
        guard !closed else { return }
        if let old = pending.removeValue(forKey: trial) { pendingBytes -= Self.cost(old) }
        var waited = false
        while pendingBytes + flyingBytes + Self.cost(bytes) > pendingLimit, pendingBytes + flyingBytes > 0, !closed {
            if !waited { counters.waits += 1 }
            waited = true
            urgent = true
            cond.broadcast()
            cond.wait()
        }
        guard !closed else { return }
        // While it waited, another save of the trial may have queued bytes (one lookup less when it did not).
        if waited, let old = pending.removeValue(forKey: trial) { pendingBytes -= Self.cost(old) }
        pending[trial] = bytes
        pendingBytes += Self.cost(bytes)
        counters.peakPendingBytes = max(counters.peakPendingBytes, pendingBytes + flyingBytes)
        // No wake-up: the writer looks at the queue at least once a second by itself.
    }

    /// Forgets the trial's checkpoint (it cannot continue): its queued bytes are dropped and its record
    /// becomes dead space, compacted away later.
    public func remove(trial: Int) {
        cond.lock()
        defer { cond.unlock() }
        if let old = pending.removeValue(forKey: trial) { pendingBytes -= Self.cost(old) }
        flying[trial] = nil
        if let slot = index.removeValue(forKey: trial) {
            liveBytes -= slot.recordSize
            deadBytes += slot.recordSize
        }
    }

    /// Whether the trial has a checkpoint (queued, in flight or written).
    public func contains(trial: Int) -> Bool {
        cond.withLock { pending[trial] != nil || flying[trial] != nil || index[trial] != nil }
    }

    /// The trial's checkpoint, or why there is none.
    public func load(trial: Int) -> Result<[UInt8], CheckpointMissing> {
        cond.lock()
        if let bytes = pending[trial] ?? flying[trial] {
            cond.unlock()
            return .success(bytes)
        }
        if let slot = index[trial] {
            defer { cond.unlock() }
            var header = [UInt8](repeating: 0, count: Self.headerSize)
            var bytes = [UInt8](repeating: 0, count: slot.length)
            guard read(into: &header, at: slot.offset), read(into: &bytes, at: slot.offset + Self.headerSize),
                Self.check(header: header, trial: trial, bytes: bytes)
            else {
                return .failure(CheckpointMissing(reason: "checkpoint corrupt in \(packPath)"))
            }
            return .success(bytes)
        }
        cond.unlock()
        return loadLegacy(trial: trial)
    }

    /// A run directory written before the pack kept one file per trial (`<trial>.ckpt`).
    private func loadLegacy(trial: Int) -> Result<[UInt8], CheckpointMissing> {
        let p = "\(directory)/\(trial).ckpt"
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: p) else {
            return .failure(CheckpointMissing(reason: "no checkpoint"))
        }
        if let size = attrs[.size] as? Int, size > Self.maxBytes {
            return .failure(CheckpointMissing(reason: "checkpoint larger than \(Self.maxBytes) bytes"))
        }
        guard let data = FileManager.default.contents(atPath: p) else {
            return .failure(CheckpointMissing(reason: "checkpoint unreadable"))
        }
        return .success([UInt8](data))
    }

    /// Asks the writer to write what is queued now rather than within the second.
    public func commitSoon() {
        cond.lock()
        urgent = true
        cond.broadcast()
        cond.unlock()
    }

    /// Waits until everything queued so far is written and synced.
    public func drain() {
        cond.lock()
        defer { cond.unlock() }
        while (!pending.isEmpty || !flying.isEmpty) && writerRunning {
            urgent = true
            cond.broadcast()
            cond.wait()
        }
    }

    /// Ends the store: with `keeping` nil, everything queued is written and the pack keeps every live
    /// checkpoint (compacted if mostly dead); otherwise only those trials' checkpoints are kept (queued
    /// ones of other trials are never written), and an empty set removes the pack. Idempotent.
    public func close(keeping: Set<Int>?) {
        cond.lock()
        if closed {
            cond.unlock()
            return
        }
        if let keeping {
            for t in pending.keys where !keeping.contains(t) {
                pendingBytes -= Self.cost(pending[t]!)
                pending[t] = nil
            }
        }
        cond.unlock()
        drain()
        cond.lock()
        stopping = true
        cond.broadcast()
        let running = writerRunning
        cond.unlock()
        if running { writerDone.wait() }
        cond.lock()
        closed = true
        cond.broadcast()
        let dropped =
            keeping.map { k in index.filter { !k.contains($0.key) }.reduce(0) { $0 + $1.value.recordSize } } ?? 0
        let kept = liveBytes - dropped
        let empty = keeping?.isEmpty == true || (index.isEmpty && pending.isEmpty)
        cond.unlock()
        if empty {
            cond.lock()
            Foundation.close(fd)
            fd = -1
            index.removeAll()
            cond.unlock()
            unlink(packPath)
            if packPath.hasSuffix("/trials.pack") { rmdir(directory) }  // only when nothing else is in it
            return
        }
        if deadBytes + dropped > 0, (deadBytes + dropped) * 4 >= kept || keeping != nil {
            compact(keeping: keeping)
        }
    }

    /// The first write error, if any.
    public var error: String? { cond.withLock { firstError } }

    /// Counters so far.
    public var stats: Stats { cond.withLock { counters } }

    /// Bytes in the pack file now.
    public var fileBytes: Int { cond.withLock { end } }

    private static func cost(_ bytes: [UInt8]) -> Int { bytes.count + entryOverhead }

    // MARK: - Writer

    private func writerLoop() {
        cond.lock()
        while true {
            while !stopping, pending.isEmpty || (!urgent && !secondPassed()) {
                // Saves do not wake the writer (that would cost the run a wake-up per checkpoint): it looks
                // again within the second, or when asked (commitSoon, a full queue, drain, close).
                let wait = pending.isEmpty ? 1 : max(0.001, 1 - sinceLastBatch())
                _ = cond.wait(until: Date().addingTimeInterval(wait))
            }
            if pending.isEmpty {  // stopping, nothing left
                break
            }
            let batch = pending
            flying = batch
            flyingBytes = pendingBytes
            pending = [:]
            pendingBytes = 0
            urgent = false
            let at = end
            cond.unlock()

            beforeWrite?()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(flyingBytes + batch.count * (Self.headerSize - Self.entryOverhead))
            var slots: [(Int, Slot)] = []
            for t in batch.keys.sorted() {
                let bytes = batch[t]!
                slots.append((t, Slot(offset: at + buffer.count, length: bytes.count)))
                Self.appendRecord(trial: t, bytes: bytes, to: &buffer)
            }
            let ok = write(buffer, at: at) && sync(fd) == 0

            cond.lock()
            counters.batches += 1
            counters.syncs += 1
            lastBatch = .now()
            if ok {
                end = at + buffer.count
                for (t, slot) in slots {
                    if flying[t] != nil {
                        if let old = index[t] {
                            liveBytes -= old.recordSize
                            deadBytes += old.recordSize
                        }
                        index[t] = slot
                        liveBytes += slot.recordSize
                    } else {
                        deadBytes += slot.recordSize  // removed while in flight
                    }
                }
            } else {
                if firstError == nil {
                    firstError = "cannot write checkpoints to \(packPath): \(String(cString: strerror(errno)))"
                }
                _ = ftruncate(fd, off_t(at))
            }
            flying = [:]
            flyingBytes = 0
            cond.broadcast()
            if deadBytes > compactAbove, deadBytes > liveBytes, !stopping {
                cond.unlock()
                compact(keeping: nil)
                cond.lock()
            }
        }
        writerRunning = false
        cond.broadcast()
        cond.unlock()
        writerDone.signal()
    }

    private func sinceLastBatch() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - lastBatch.uptimeNanoseconds) / 1e9
    }

    private func secondPassed() -> Bool { sinceLastBatch() >= 1 }

    /// Rewrites the pack with the live records (only `keeping`'s, when given). Runs on the writer, or
    /// after it stopped: nothing appends meanwhile; removals meanwhile are honoured.
    private func compact(keeping: Set<Int>?) {
        cond.lock()
        var snapshot = index
        if let keeping { snapshot = snapshot.filter { keeping.contains($0.key) } }
        let oldFd = fd
        cond.unlock()

        let tmp = packPath + ".tmp"
        let out = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard out >= 0 else { return }
        var newSlots: [Int: Slot] = [:]
        var offset = 0
        var buffer: [UInt8] = []
        var ok = true
        for (t, slot) in snapshot.sorted(by: { $0.value.offset < $1.value.offset }) {
            var record = [UInt8](repeating: 0, count: slot.recordSize)
            guard Self.read(oldFd, into: &record, at: slot.offset) else { continue }
            newSlots[t] = Slot(offset: offset + buffer.count, length: slot.length)
            buffer.append(contentsOf: record)
            if buffer.count >= 4 << 20 {
                ok = ok && Self.write(out, buffer, at: offset)
                offset += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        ok = ok && Self.write(out, buffer, at: offset)
        offset += buffer.count
        ok = ok && sync(out) == 0 && rename(tmp, packPath) == 0
        guard ok else {
            Foundation.close(out)
            unlink(tmp)
            return
        }
        cond.lock()
        counters.syncs += 1
        counters.compactions += 1
        var newIndex: [Int: Slot] = [:]
        var live = 0
        var dead = 0
        for (t, slot) in newSlots {
            if index[t] == snapshot[t] {
                newIndex[t] = slot
                live += slot.recordSize
            } else {
                dead += slot.recordSize
            }
        }
        index = newIndex
        liveBytes = live
        deadBytes = dead
        end = offset
        fd = out
        Foundation.close(oldFd)
        cond.unlock()
    }

    // MARK: - Records

    private static func appendRecord(trial: Int, bytes: [UInt8], to buffer: inout [UInt8]) {
        buffer.append(contentsOf: magic)
        appendLE(UInt64(truncatingIfNeeded: trial), 8, &buffer)
        appendLE(UInt64(bytes.count), 4, &buffer)
        appendLE(UInt64(checksum(trial: trial, bytes: bytes)), 4, &buffer)
        buffer.append(contentsOf: bytes)
    }

    private static func appendLE(_ v: UInt64, _ n: Int, _ buffer: inout [UInt8]) {
        for i in 0..<n { buffer.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    private static func readLE(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
        return v
    }

    private static func checksum(trial: Int, bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        var head: [UInt8] = []
        appendLE(UInt64(truncatingIfNeeded: trial), 8, &head)
        appendLE(UInt64(bytes.count), 4, &head)
        for b in head {
            h = (h ^ UInt32(b)) &* 0x0100_0193
        }
        for b in bytes {
            h = (h ^ UInt32(b)) &* 0x0100_0193
        }
        return h
    }

    private static func check(header: [UInt8], trial: Int, bytes: [UInt8]) -> Bool {
        Array(header[0..<4]) == magic && Int(truncatingIfNeeded: readLE(header, 4, 8)) == trial
            && Int(readLE(header, 12, 4)) == bytes.count
            && UInt32(readLE(header, 16, 4)) == checksum(trial: trial, bytes: bytes)
    }

    /// Reads every record; the first bad or torn one ends the pack, and is cut off.
    private func scan() {
        var size = 0
        var st = stat()
        if fstat(fd, &st) == 0 { size = Int(st.st_size) }
        var offset = 0
        var header = [UInt8](repeating: 0, count: Self.headerSize)
        while offset + Self.headerSize <= size {
            guard read(into: &header, at: offset), Array(header[0..<4]) == Self.magic else { break }
            let trial = Int(truncatingIfNeeded: readLE(header, 4, 8))
            let length = Int(Self.readLE(header, 12, 4))
            guard trial >= 0, length <= Self.maxBytes, offset + Self.headerSize + length <= size else { break }
            var bytes = [UInt8](repeating: 0, count: length)
            guard read(into: &bytes, at: offset + Self.headerSize),
                Self.check(header: header, trial: trial, bytes: bytes)
            else { break }
            let slot = Slot(offset: offset, length: length)
            if let old = index[trial] {
                liveBytes -= old.recordSize
                deadBytes += old.recordSize
            }
            index[trial] = slot
            liveBytes += slot.recordSize
            offset += slot.recordSize
        }
        end = offset
        if offset < size { _ = ftruncate(fd, off_t(offset)) }
    }

    private func readLE(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 { Self.readLE(b, at, n) }

    private func read(into bytes: inout [UInt8], at offset: Int) -> Bool { Self.read(fd, into: &bytes, at: offset) }

    private func write(_ bytes: [UInt8], at offset: Int) -> Bool { Self.write(fd, bytes, at: offset) }

    private static func read(_ fd: Int32, into bytes: inout [UInt8], at offset: Int) -> Bool {
        let length = bytes.count
        return bytes.withUnsafeMutableBytes { raw in
            whole(length) { done in pread(fd, raw.baseAddress! + done, length - done, off_t(offset + done)) }
        }
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int) -> Bool {
        let length = bytes.count
        return bytes.withUnsafeBytes { raw in
            whole(length) { done in pwrite(fd, raw.baseAddress! + done, length - done, off_t(offset + done)) }
        }
    }

    /// Repeats `transfer` (a `pread` or `pwrite` of what is left after `done` bytes) until all `length`
    /// bytes are through, again after EINTR; false at an error or the end of the file.
    private static func whole(_ length: Int, _ transfer: (_ done: Int) -> Int) -> Bool {
        var done = 0
        while done < length {
            let n = transfer(done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}

/// Why a trial has no usable checkpoint.
public struct CheckpointMissing: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
