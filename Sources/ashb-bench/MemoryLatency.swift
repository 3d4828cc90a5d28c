import ASHA

#if canImport(Glibc)
    import Glibc
#endif

/// The host's latency of one random read within a buffer of a given size: a pointer chase over the
/// buffer's 64-byte lines in one random cycle, so that each read waits for the one before. Memory is
/// advised for transparent huge pages as the scheduler's node pools are (`NodePool`), so the figure is
/// what a tree leaf read at random costs there: from cache while the buffer fits the share of the last
/// level cache this process gets, from main memory beyond.
///
/// `ashb-bench scheduler` prints it beside its figures because the stopping variant's cost at 10^6
/// trials is set by it: each report ranks its value exactly among all values of its rung, which reads
/// one leaf at a random place in a rung of ~17 MB.
enum MemoryLatency {
    /// Nanoseconds per read, the best of `bestOf` chases of `reads` reads over `bytes` bytes.
    static func nanoseconds(bytes: Int, reads: Int = 4_000_000, bestOf: Int = 3) -> Double {
        let lines = bytes / 64
        let hugePage = 2 << 20
        let allocated = (bytes + hugePage - 1) / hugePage * hugePage
        let base = UnsafeMutableRawPointer.allocate(byteCount: allocated, alignment: hugePage)
        defer { base.deallocate() }
        #if canImport(Glibc)
            _ = madvise(base, allocated, Int32(MADV_HUGEPAGE))
        #endif
        // Sattolo's shuffle: one cycle through every line, in a random order.
        var order = Array(0..<lines)
        var random = SplitMix64(seed: 0x6C8E_9CF5_7093_2BD5)
        for i in stride(from: lines - 1, to: 0, by: -1) {
            order.swapAt(i, SplitMix64.index(random.next(), below: i))
        }
        for i in 0..<lines {
            base.storeBytes(of: order[i], toByteOffset: 64 * order[(i + 1) % lines], as: Int.self)
        }
        var best = Double.infinity
        var line = order[0]
        for _ in 0..<bestOf {
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for _ in 0..<reads { line = base.load(fromByteOffset: 64 * line, as: Int.self) }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds / Double(reads) * 1e9)
        }
        // Keeps the chase from being optimized away.
        if line < 0 { print(line) }
        return best
    }
}
