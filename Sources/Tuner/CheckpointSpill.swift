import Foundation

/// Keeps idle trials' checkpoints on disk instead of in memory, in one file per run,
/// `<directory>/checkpoints-<pid>-<random>.spill`, removed when the run ends.
///
/// A checkpoint takes a slot of the file (offset and length). The slot is freed when the trial is
/// restored or ends, and reused for a later checkpoint of exactly the same length (a trial's checkpoints
/// usually have one length), so the file grows to about the largest number of trials spilled at once
/// times their checkpoint size. One file rather than one per trial: creating and deleting many small
/// files costs the file system far more than writing into one.
///
/// Used by `RunCore` under the run's lock only. Failures are reported by return values, never thrown: a
/// trial that cannot be spilled stays in memory.
final class CheckpointSpill {
    /// The spill file.
    let path: String
    private var fd: Int32
    private var end = 0
    private var slots: [Int: (offset: Int, length: Int)] = [:]
    private var free: [Int: [Int]] = [:]

    /// Opens a new spill file in `directory` (created if missing). When that fails, nothing is spilled.
    init(directory: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = "\(directory)/checkpoints-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).spill"
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    }

    deinit { removeAll() }

    /// Writes the trial's checkpoint; returns false when it could not (the trial then keeps its state).
    func write(trial: Int, bytes: [UInt8]) -> Bool {
        guard fd >= 0 else { return false }
        remove(trial: trial)
        let length = bytes.count
        let offset: Int
        if let reused = free[length]?.popLast() {
            offset = reused
        } else {
            offset = end
            end += length
        }
        let ok = bytes.withUnsafeBytes { raw in transfer(raw.baseAddress, length, offset, writing: true) }
        guard ok else {
            free[length, default: []].append(offset)
            return false
        }
        slots[trial] = (offset, length)
        return true
    }

    /// Reads the trial's checkpoint back and frees its slot; nil when it cannot be read.
    func take(trial: Int) -> [UInt8]? {
        guard fd >= 0, let slot = slots[trial] else { return nil }
        defer { remove(trial: trial) }
        var bytes = [UInt8](repeating: 0, count: slot.length)
        let ok = bytes.withUnsafeMutableBytes { raw in
            transfer(UnsafeRawPointer(raw.baseAddress), slot.length, slot.offset, writing: false)
        }
        return ok ? bytes : nil
    }

    /// Frees the trial's slot, if it has one.
    func remove(trial: Int) {
        guard let slot = slots.removeValue(forKey: trial) else { return }
        free[slot.length, default: []].append(slot.offset)
    }

    /// Closes and deletes the spill file; nothing more is spilled.
    func removeAll() {
        slots.removeAll()
        free.removeAll()
        guard fd >= 0 else { return }
        Foundation.close(fd)
        unlink(path)
        fd = -1
    }

    /// Writes or reads `length` bytes at `offset`, retrying short transfers; true when all moved.
    private func transfer(_ base: UnsafeRawPointer?, _ length: Int, _ offset: Int, writing: Bool) -> Bool {
        guard length > 0 else { return true }
        guard let base else { return false }
        var done = 0
        while done < length {
            let n =
                writing
                ? pwrite(fd, base + done, length - done, off_t(offset + done))
                : pread(fd, UnsafeMutableRawPointer(mutating: base + done), length - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
