#if canImport(Glibc)
    import Glibc
#endif

/// Growable memory for fixed-size node blocks, with value semantics (copy on write): the node pools of
/// `OrderStatisticForest`.
///
/// Unlike `[UInt64]`, the memory is 64-byte aligned, and once a pool grows past `hugeThreshold` it is
/// allocated 2 MiB-aligned and marked for transparent huge pages (`madvise(MADV_HUGEPAGE)`) before it is
/// touched. A rung of 10^6 entries spreads its leaves over ~20 MB that are read at random, one leaf per
/// report: with 4 KiB pages most of those reads also miss the TLB, with 2 MiB pages a handful of entries
/// cover them. Where the kernel has no huge pages the advice is ignored and nothing else changes.
struct NodePool: Sendable {
    /// Pools at least this large (bytes) ask for huge pages.
    static let hugeThreshold = 4 << 20
    private static let hugePage = 2 << 20

    /// The bytes of one block.
    let blockBytes: Int
    /// The number of blocks.
    private(set) var count = 0
    private var storage: Storage

    init(blockBytes: Int) {
        self.blockBytes = blockBytes
        storage = Storage(capacity: 16 * blockBytes, copying: nil, used: 0)
    }

    /// Reads the blocks in use.
    @inline(__always)
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: count * blockBytes))
    }

    /// Reads and writes the blocks in use (copying them first if another value shares them).
    @inline(__always)
    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        makeUnique(capacity: storage.capacity)
        return try body(UnsafeMutableRawBufferPointer(start: storage.base, count: count * blockBytes))
    }

    /// Appends a block of zeros and returns its index.
    mutating func appendBlock() -> Int {
        let used = count * blockBytes
        let capacity = used + blockBytes > storage.capacity ? 2 * storage.capacity : storage.capacity
        makeUnique(capacity: capacity)
        (storage.base + used).initializeMemory(as: UInt8.self, repeating: 0, count: blockBytes)
        count += 1
        return count - 1
    }

    private mutating func makeUnique(capacity: Int) {
        if !isKnownUniquelyReferenced(&storage) || capacity != storage.capacity {
            storage = Storage(capacity: capacity, copying: storage, used: count * blockBytes)
        }
    }

    /// The memory. Shared between pool values only while none of them writes (see `makeUnique`), which
    /// is what makes it safe to send.
    private final class Storage: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let capacity: Int

        init(capacity: Int, copying old: Storage?, used: Int) {
            let huge = capacity >= NodePool.hugeThreshold
            let bytes = huge ? (capacity + NodePool.hugePage - 1) / NodePool.hugePage * NodePool.hugePage : capacity
            base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge ? NodePool.hugePage : 64)
            self.capacity = bytes
            #if canImport(Glibc)
                if huge { _ = madvise(base, bytes, Int32(MADV_HUGEPAGE)) }
            #endif
            if let old, used > 0 { base.copyMemory(from: old.base, byteCount: used) }
        }

        deinit { base.deallocate() }
    }
}
