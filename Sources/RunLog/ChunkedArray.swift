/// An array stored as fixed-size chunks, each copied on write on its own.
///
/// A copy of a `ChunkedArray` costs one reference per chunk; the copies share every chunk until one of
/// them changes an element in it, and then only that chunk is copied. A replay keeps many copies of a
/// run's state (its snapshots): each costs the chunks that changed since the one before, not the whole
/// table. Reading an element costs one more indirection than `Array`; `withChunks` hands out the
/// contiguous buffers for loops that visit every element.
public struct ChunkedArray<Element> {
    /// log2 of the elements in a chunk: 256 small elements, 16 wide ones (64 bytes or more, such as trial
    /// records). A write to an element copies its whole chunk when a snapshot shares it, and a replay's
    /// writes to trial records fall all over the table (promotions of old trials), so wide elements
    /// come in small chunks; append-only tables of small elements keep the reference array short.
    @inlinable
    public static var chunkShift: Int { MemoryLayout<Element>.stride >= 64 ? 4 : 8 }
    /// Elements in a chunk (every chunk but the last is full).
    @inlinable
    public static var chunkCapacity: Int { 1 << chunkShift }

    /// One chunk: a reference, so copies of the array share it until one writes to it. Its elements are
    /// reached through a pointer (a `let`), so reading and writing one costs no access bookkeeping.
    @usableFromInline
    final class Chunk {
        @usableFromInline let base: UnsafeMutablePointer<Element>
        /// Elements initialized (changed only by appends and copies).
        @usableFromInline var initialized = 0

        @inlinable init() { base = .allocate(capacity: ChunkedArray.chunkCapacity) }

        @inlinable deinit {
            base.deinitialize(count: initialized)
            base.deallocate()
        }

        /// A chunk of its own with the same elements.
        @inlinable func copy() -> Chunk {
            let c = Chunk()
            c.base.initialize(from: base, count: initialized)
            c.initialized = initialized
            return c
        }

        @inlinable var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: initialized) }
    }

    @usableFromInline var chunks: ContiguousArray<Chunk> = []
    /// The count behind `count` (settable only here).
    @usableFromInline var storedCount = 0
    /// Elements held.
    @inlinable public var count: Int { storedCount }

    /// An empty array.
    @inlinable
    public init() {}

    /// An array of `elements`, in order.
    @inlinable
    public init(_ elements: some Sequence<Element>) {
        for e in elements { append(e) }
    }

    /// Appends `element`.
    @inlinable
    public mutating func append(_ element: Element) {
        if count & (Self.chunkCapacity - 1) == 0 { chunks.append(Chunk()) }
        let k = chunks.count - 1
        makeUnique(k)
        let chunk = chunks[k]
        (chunk.base + chunk.initialized).initialize(to: element)
        chunk.initialized += 1
        storedCount += 1
    }

    /// Appends every element of `elements`.
    @inlinable
    public mutating func append(contentsOf elements: some Sequence<Element>) {
        for e in elements { append(e) }
    }

    /// Removes every element.
    @inlinable
    public mutating func removeAll() {
        chunks = []
        storedCount = 0
    }

    /// Gives chunk `k` to this array alone (copying it when another array shares it).
    @inline(__always)
    @inlinable mutating func makeUnique(_ k: Int) {
        if !isKnownUniquelyReferenced(&chunks[k]) { chunks[k] = chunks[k].copy() }
    }

    /// Calls `body` with each chunk's elements in order and the index of its first element.
    @inlinable
    public func withChunks(_ body: (_ first: Int, _ elements: UnsafeBufferPointer<Element>) throws -> Void) rethrows {
        for (k, chunk) in chunks.enumerated() {
            try body(k << Self.chunkShift, chunk.buffer)
        }
    }

    /// Calls `body` with a pointer to element `i` (read in place, not copied).
    @inline(__always)
    @inlinable
    public func withElement<R>(at i: Int, _ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < count, "ChunkedArray index out of range")
        return try body(UnsafePointer(chunks[i >> Self.chunkShift].base + (i & (Self.chunkCapacity - 1))))
    }

    /// Chunks held.
    public var chunkCount: Int { chunks.count }

    /// Chunks of this array that `other` does not share at the same place (all of them when `other` is
    /// nil): what this copy holds of its own beside `other`.
    @inlinable
    public func chunksNotShared(with other: ChunkedArray<Element>?) -> Int {
        guard let other else { return chunks.count }
        var n = 0
        for k in chunks.indices where k >= other.chunks.count || chunks[k] !== other.chunks[k] { n += 1 }
        return n
    }

    /// True when chunk `k` of both arrays is one and the same (so its elements are equal).
    @inlinable
    public func sharesChunk(_ k: Int, with other: ChunkedArray<Element>) -> Bool {
        k < chunks.count && k < other.chunks.count && chunks[k] === other.chunks[k]
    }
}

extension ChunkedArray: RandomAccessCollection, MutableCollection {
    @inlinable
    public var startIndex: Int { 0 }
    @inlinable
    public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> Element {
        @inline(__always)
        get {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            return chunks[position >> Self.chunkShift].base[position & (Self.chunkCapacity - 1)]
        }
        @inline(__always)
        _modify {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            let k = position >> Self.chunkShift
            makeUnique(k)
            yield &chunks[k].base[position & (Self.chunkCapacity - 1)]
        }
    }
}

extension ChunkedArray: ExpressibleByArrayLiteral {
    @inlinable
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension ChunkedArray: Equatable where Element: Equatable {
    @inlinable
    public static func == (a: Self, b: Self) -> Bool {
        guard a.count == b.count else { return false }
        for k in a.chunks.indices where a.chunks[k] !== b.chunks[k] {
            guard a.chunks[k].buffer.elementsEqual(b.chunks[k].buffer) else { return false }
        }
        return true
    }
}

extension ChunkedArray: @unchecked Sendable where Element: Sendable {}
