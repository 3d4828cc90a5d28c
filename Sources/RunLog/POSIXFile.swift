import Foundation

/// The POSIX steps the log's writer and its compressor share.
enum POSIXFile {
    /// Writes `count` bytes from `bytes` to `fd`, across short writes and interrupted calls. Returns nil,
    /// or the reason the write failed.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> String? {
        var written = 0
        while written < count {
            let n = Foundation.write(fd, bytes + written, count - written)
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            written += n
        }
        return nil
    }

    /// Syncs the directory of the log whose live segment is `live`, so that a rename in it outlives a power
    /// loss (best effort: a directory that cannot be opened is left as it is).
    static func syncDirectory(ofLog live: String) {
        let dfd = open(LogSegments.stem(of: live).directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        fsync(dfd)
        close(dfd)
    }
}
