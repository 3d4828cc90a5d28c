import Foundation

/// A value that only a lock's holder can reach: `withLock` is the one way in (state inside the lock,
/// not beside it).
///
/// Built on `NSLock`, not `Synchronization.Mutex`: on this platform `Mutex` gave false ThreadSanitizer
/// reports on correct code (see the Swift/ncurses notes), and the tuner's state is exactly what TSan
/// watches. `@unchecked Sendable`, audited: the value is only touched inside `withLock`, and callers
/// must not let a reference-type value escape the closure.
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let lock = NSLock()
    @usableFromInline var value: Value

    /// Guards `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock (inlinable: specialized where it is used).
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
