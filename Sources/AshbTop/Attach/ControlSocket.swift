import CAttach
import Foundation
import TextSafety

/// Where a run's control socket lives and how to reach it: `RUN/control/socket`, in a directory only
/// the owner may enter (0700), the socket itself 0600.
enum ControlSocket {
    /// The directory that holds the socket.
    static func directory(of run: String) -> String { run + "/control" }
    /// The socket's path.
    static func path(of run: String) -> String { directory(of: run) + "/socket" }

    /// Makes (or checks) the owner-only directory for the socket: a real directory (not a link), owned
    /// by this user, mode 0700. Throws with what is wrong.
    static func prepareDirectory(of run: String) throws {
        let dir = directory(of: run)
        if mkdir(dir, 0o700) != 0, errno != EEXIST {
            throw CLIError(
                "cannot create '\(Sanitizer.clean(dir, maxColumns: 200))': \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard lstat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError("'\(Sanitizer.clean(dir, maxColumns: 200))' is not a directory")
        }
        guard st.st_uid == geteuid() else {
            throw CLIError("'\(Sanitizer.clean(dir, maxColumns: 200))' belongs to another user (uid \(st.st_uid))")
        }
        guard chmod(dir, 0o700) == 0 else {
            throw CLIError(
                "cannot make '\(Sanitizer.clean(dir, maxColumns: 200))' owner-only: \(String(cString: strerror(errno)))"
            )
        }
    }

    /// Calls `body` with a `sockaddr_un` for `path`. A path longer than `sun_path` holds (107 bytes) is
    /// reached through `/proc/self/fd/N/` of its directory, opened for the call.
    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var dirFD: Int32 = -1
        var target = path
        if path.utf8.count > 107 {
            let dir = (path as NSString).deletingLastPathComponent
            dirFD = ashb_open_directory_path(dir)
            target = "/proc/self/fd/\(dirFD)/" + (path as NSString).lastPathComponent
        }
        defer { if dirFD >= 0 { close(dirFD) } }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(target.utf8.prefix(107))
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, len) }
        }
    }

    /// Connects to the socket at `path`; returns the descriptor (close-on-exec, blocking) or throws
    /// the errno (ENOENT: no socket; ECONNREFUSED: nobody listens, the run's process is gone).
    static func connect(_ path: String) throws(SocketError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(code: errno) }
        let rc = withAddress(path) { Glibc.connect(fd, $0, $1) }
        if rc != 0 {
            let e = errno
            close(fd)
            throw SocketError(code: e)
        }
        return fd
    }

    /// A failed socket call: its errno.
    struct SocketError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    /// Whether the peer of a connected socket may use it: the run's owner (this process's user) or root.
    static func admits(peerUID uid: uid_t, owner: uid_t = geteuid()) -> Bool { uid == owner || uid == 0 }

    /// The peer's user id, or nil when the kernel does not say.
    static func peerUID(_ fd: Int32) -> uid_t? {
        var uid: uid_t = 0
        var pid: pid_t = 0
        return ashb_peer_cred(fd, &uid, &pid) == 0 ? uid : nil
    }
}
