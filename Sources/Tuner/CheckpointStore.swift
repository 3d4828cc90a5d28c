import Dispatch
import Foundation

/// Keeps trials' checkpoints in a run directory (`checkpoints/<trial>.ckpt`), so a resumed run continues
/// training instead of starting again from zero. Writes go to a private serial queue and are atomic
/// (a temporary file renamed into place), so a crash leaves the previous checkpoint or the new one.
public final class CheckpointStore: @unchecked Sendable {
    /// The largest checkpoint read back, in bytes (a bigger file is treated as corrupt).
    public static let maxBytes = 256 << 20

    public let directory: String
    private let queue = DispatchQueue(label: "ashb.checkpoints")
    private let lock = NSLock()
    private var firstError: String?

    private let beforeWrite: (@Sendable () -> Void)?

    /// Uses (and creates if needed) `directory`. `beforeWrite` runs before each save is queued: the run
    /// passes its log's flush, so a checkpoint never gets ahead of the events that lead to it.
    public init(directory: String, beforeWrite: (@Sendable () -> Void)? = nil) throws {
        self.directory = directory
        self.beforeWrite = beforeWrite
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(_ trial: Int) -> String { "\(directory)/\(trial).ckpt" }

    /// Saves `bytes` as the trial's checkpoint, in the background.
    public func save(trial: Int, bytes: [UInt8]) {
        beforeWrite?()
        queue.async { [self] in
            let tmp = path(trial) + ".tmp"
            let ok =
                FileManager.default.createFile(atPath: tmp, contents: Data(bytes)) && rename(tmp, path(trial)) == 0
            if !ok {
                lock.lock()
                if firstError == nil { firstError = "cannot write the checkpoint of trial \(trial) in \(directory)" }
                lock.unlock()
            }
        }
    }

    /// The trial's checkpoint, or why there is none.
    public func load(trial: Int) -> Result<[UInt8], CheckpointMissing> {
        let p = path(trial)
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

    /// Waits for every pending write.
    public func drain() { queue.sync {} }

    /// The first write error, if any.
    public var error: String? {
        lock.lock()
        defer { lock.unlock() }
        return firstError
    }
}

/// Why a trial has no usable checkpoint.
public struct CheckpointMissing: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
