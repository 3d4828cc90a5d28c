#if canImport(Glibc)
    import Glibc
#endif

/// Monotonic nanoseconds from the kernel's coarse clock (`CLOCK_MONOTONIC_COARSE`): a few nanoseconds a
/// read against about 30 for `DispatchTime.now()`, at the kernel tick's resolution (a few milliseconds).
/// For per-event bookkeeping whose deadlines are a second or so (a log's flush, a printer's quiet
/// second), compared only with readings of this same clock.
public enum CoarseClock {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
