import CZlib
import CZstd
import Foundation

/// The format a closed segment of a run log is stored in, told by its file name.
public enum SegmentFormat: Sendable, CaseIterable {
    /// `events-NNNNNN.jsonl`: not compressed (yet).
    case plain
    /// `events-NNNNNN.jsonl.zst`: what this version writes.
    case zstd
    /// `events-NNNNNN.jsonl.gz`: written by versions before zstd; still read.
    case gzip

    /// What the format adds to a plain segment's name.
    public var suffix: String {
        switch self {
        case .plain: ""
        case .zstd: ".zst"
        case .gzip: ".gz"
        }
    }

    /// The compressed format a file name ends in (`.zst`, `.gz`), else nil.
    public static func compressed(name: String) -> SegmentFormat? {
        if name.hasSuffix(".zst") { return .zstd }
        if name.hasSuffix(".gz") { return .gzip }
        return nil
    }
}

/// Reads a compressed segment (zstd or gzip) from an open descriptor as a stream of its original bytes,
/// with bounded memory: a zstd frame that asks for a window over `maxWindowLog` is refused, not allocated;
/// zlib's window is 32 KiB. Every error names the file. Owns (and closes) the descriptor.
final class SegmentDecoder {
    /// The largest zstd window accepted: 2^24 bytes (16 MiB). ashb-top writes level 1 frames (512 KiB
    /// windows); `zstd -19` makes 8 MiB ones.
    static let maxWindowLog: Int32 = 24

    private let path: String
    private let format: SegmentFormat
    private var fd: Int32
    private var gz: gzFile?
    private var zstd: OpaquePointer?
    private var input: [UInt8] = []
    private var inputStart = 0
    private var inputEnd = 0
    /// The last result of `ZSTD_decompressStream`: 0 at the end of a frame, else more input is needed.
    private var frameRest = 0
    private var inputEnded = false
    /// Whether the file held any byte (an empty file is no zstd frame, not an empty segment).
    private var sawInput = false

    /// Opens `fd` (of `path`) as `format`, which is `.zstd` or `.gzip`.
    init(fd: Int32, path: String, format: SegmentFormat) throws(LogError) {
        precondition(format != .plain)
        self.fd = fd
        self.path = path
        self.format = format
        switch format {
        case .gzip:
            guard let z = gzdopen(fd, "rb") else {
                Foundation.close(fd)
                self.fd = -1
                throw LogError(path: path, line: nil, message: "cannot read: out of memory")
            }
            self.fd = -1  // gzclose closes it
            gzbuffer(z, 1 << 17)
            gz = z
        default:
            guard let d = ZSTD_createDCtx() else {
                Foundation.close(fd)
                self.fd = -1
                throw LogError(path: path, line: nil, message: "cannot read: out of memory")
            }
            zstd = d
            ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, Self.maxWindowLog)
            input = [UInt8](repeating: 0, count: ZSTD_DStreamInSize())
        }
    }

    deinit {
        if let gz { gzclose(gz) }
        if let zstd { ZSTD_freeDCtx(zstd) }
        if fd >= 0 { Foundation.close(fd) }
    }

    /// Reads up to `count` decompressed bytes into `buffer`; 0 at the end. Throws, naming the file, for a
    /// damaged, truncated or oversized stream.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(LogError) -> Int {
        if let gz {
            let n = gzread(gz, buffer, UInt32(min(count, 1 << 30)))
            if n < 0 { throw LogError(path: path, line: nil, message: "not a readable gzip file (damaged?)") }
            return Int(n)
        }
        guard let zstd, count > 0 else { return 0 }
        while true {
            if inputStart == inputEnd && !inputEnded { try refill() }
            if inputStart == inputEnd && inputEnded {
                if !sawInput {
                    throw LogError(path: path, line: nil, message: "not a readable zstd file (empty)")
                }
                if frameRest != 0 {
                    throw LogError(path: path, line: nil, message: "not a readable zstd file (truncated)")
                }
                return 0
            }
            var out = ZSTD_outBuffer(dst: buffer, size: count, pos: 0)
            let result = input.withUnsafeBytes { raw in
                var into = ZSTD_inBuffer(src: raw.baseAddress!, size: inputEnd, pos: inputStart)
                let r = ZSTD_decompressStream(zstd, &out, &into)
                inputStart = into.pos
                return r
            }
            if ZSTD_isError(result) != 0 {
                let name = String(cString: ZSTD_getErrorName(result))
                throw LogError(path: path, line: nil, message: "not a readable zstd file (damaged?): \(name)")
            }
            frameRest = result
            if out.pos > 0 { return out.pos }
        }
    }

    /// Reads and drops `count` decompressed bytes; false when the stream ends first.
    func skip(_ count: Int) throws(LogError) -> Bool {
        var left = count
        let size = max(1, min(count, 1 << 18))
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { scratch.deallocate() }
        while left > 0 {
            let n = try read(into: scratch, count: min(left, size))
            if n == 0 { return false }
            left -= n
        }
        return true
    }

    private func refill() throws(LogError) {
        while true {
            let n = input.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError(path: path, line: nil, message: "read failed: \(String(cString: strerror(errno)))")
            }
            inputStart = 0
            inputEnd = n
            if n == 0 { inputEnded = true } else { sawInput = true }
            return
        }
    }
}
