import Foundation
import TextSafety

/// A run directory's lock: the file `lock`, locked with `flock` by the process writing the run's log
/// for as long as it lives, and holding its pid (for messages only).
///
/// Taking it is one atomic step in the kernel: of two `resume`s started at the same moment exactly one
/// gets it, and a process killed with SIGKILL releases it as it dies (its descriptor closes), so a
/// stale lock never needs guessing from a pid. The file is removed on release while still locked; a
/// taker that locked a file some other process removed meanwhile sees a different inode at the path
/// and tries again.
final class RunLock {
    let path: String
    private var fd: Int32 = -1

    /// Takes the lock of `directory`, or throws naming the live holder.
    init(directory: String) throws {
        path = directory + "/lock"
        for _ in 0..<100 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw CLIError(
                    "cannot create the lock '\(Sanitizer.clean(path, maxColumns: 200))': \(String(cString: strerror(errno)))"
                )
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let error = errno
                let holder = Self.pid(in: fd)
                close(fd)
                guard error == EWOULDBLOCK else {
                    throw CLIError(
                        "cannot lock '\(Sanitizer.clean(path, maxColumns: 200))': \(String(cString: strerror(error)))")
                }
                let who = holder.map { "pid \($0)" } ?? "pid unknown"
                throw CLIError(
                    "the run is being written by a live process (\(who), see \(Sanitizer.clean(path, maxColumns: 200))); not resuming it"
                )
            }
            // Locked: but is it still the file at `path` (not one a releasing holder just removed)?
            var mine = stat()
            var named = stat()
            if fstat(fd, &mine) == 0, stat(path, &named) == 0, mine.st_ino == named.st_ino, mine.st_dev == named.st_dev
            {
                let text = Array("\(getpid())\n".utf8)
                ftruncate(fd, 0)
                _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                self.fd = fd
                return
            }
            close(fd)
        }
        throw CLIError("cannot take the lock '\(Sanitizer.clean(path, maxColumns: 200))': it keeps being replaced")
    }

    /// The pid written in the lock file, if any.
    private static func pid(in fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: bytes[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock (also on deinit): the file is removed while still locked, then closed.
    func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
