import Foundation

/// Keeps idle trials' checkpoints on disk instead of in memory: one file per trial,
/// `<directory>/trial-<id>.ckpt`, overwritten at each spill and removed when the trial is restored,
/// ends, or the run ends.
///
/// Used by `RunCore` under the run's lock only. Errors are returned, never thrown past the run: a trial
/// that cannot be spilled simply stays in memory.
final class CheckpointSpill {
    let directory: String
    private var live = Set<Int>()

    /// Uses `directory` (created if missing).
    init(directory: String) {
        self.directory = directory
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func path(_ trial: Int) -> String { "\(directory)/trial-\(trial).ckpt" }

    /// Writes the trial's checkpoint; returns false (and leaves no file) when it could not.
    func write(trial: Int, bytes: [UInt8]) -> Bool {
        let fd = open(path(trial), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Foundation.write(fd, raw.baseAddress! + written, bytes.count - written)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            written += n
        }
        Foundation.close(fd)
        guard written == bytes.count else {
            unlink(path(trial))
            return false
        }
        live.insert(trial)
        return true
    }

    /// Reads the trial's checkpoint back and removes its file; nil when it cannot be read.
    func take(trial: Int) -> [UInt8]? {
        defer { remove(trial: trial) }
        let fd = open(path(trial), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Foundation.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var got = 0
        while got < size {
            let n = bytes.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + got, size - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            got += n
        }
        return bytes
    }

    /// Forgets the trial's checkpoint file, if it has one.
    func remove(trial: Int) {
        guard live.remove(trial) != nil else { return }
        unlink(path(trial))
    }

    /// Removes every file this spill wrote and still holds.
    func removeAll() {
        for trial in live { unlink(path(trial)) }
        live.removeAll()
    }
}
