import Foundation

/// A trial's standard error on disk: `stderr.log` in the trial's directory, rotated to
/// `stderr.log.1` when it reaches `maxBytes`, so a chatty program uses at most twice that.
/// Used by one thread at a time (the job reading the trial's process).
final class StderrLog: @unchecked Sendable {
    let path: String
    let maxBytes: Int
    private var fd: Int32 = -1
    private var size = 0

    init(path: String, maxBytes: Int) {
        self.path = path
        self.maxBytes = maxBytes
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Appends `bytes`; a file that cannot be written loses them silently (the tail in memory stays).
    func append(_ bytes: ArraySlice<UInt8>) {
        if fd < 0 {
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            var st = stat()
            size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
        }
        if size + bytes.count > maxBytes, size > 0 {
            Glibc.close(fd)
            rename(path, path + ".1")
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            size = 0
            guard fd >= 0 else { return }
        }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written > 0 { size += written }
    }

    /// Closes the file (reopened by the next append).
    func closeFile() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
