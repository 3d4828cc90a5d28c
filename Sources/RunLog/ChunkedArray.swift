/// An array stored as fixed-size chunks, each copied on write on its own.
///
/// A copy of a `ChunkedArray` costs one reference per page of chunks; the copies share every page and
/// chunk until one of them changes an element, and then only that chunk and the page of references
/// that holds it are copied. A replay keeps many copies of a run's state (its snapshots): each costs
/// the chunks that changed since the one before (and their pages), not the whole table, nor a
/// reference per chunk (with one flat array of chunk references, those references were most of what a
/// snapshot of a 10,000,000-event replay held). Reading an element costs two more indirections than
/// `Array`; `withChunks` hands out the contiguous buffers for loops that visit every element.
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

    /// log2 of the chunks in a page.
    @inlinable
    public static var pageShift: Int { 6 }
    /// Chunks in a page (every page but the last is full).
    @inlinable
    public static var pageCapacity: Int { 1 << pageShift }

    /// The chunks, by pages: `pages[k >> pageShift][k & (pageCapacity - 1)]` is chunk `k`. A page is an
    /// array, so copies share it until one of them changes a chunk reference in it.
    @usableFromInline var pages: ContiguousArray<ContiguousArray<Chunk>> = []
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
        let k = count >> Self.chunkShift
        if count & (Self.chunkCapacity - 1) == 0 {
            if k & (Self.pageCapacity - 1) == 0 {
                var page = ContiguousArray<Chunk>()
                page.reserveCapacity(Self.pageCapacity)
                pages.append(page)
            }
            pages[pages.count - 1].append(Chunk())
        }
        makeUnique(k)
        let chunk = self.chunk(k)
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
        pages = []
        storedCount = 0
    }

    /// Chunk `k`.
    @inline(__always)
    @inlinable func chunk(_ k: Int) -> Chunk { pages[k >> Self.pageShift][k & (Self.pageCapacity - 1)] }

    /// Gives chunk `k` (and its page) to this array alone, copying them when another array shares them.
    @inline(__always)
    @inlinable mutating func makeUnique(_ k: Int) {
        let p = k >> Self.pageShift
        let j = k & (Self.pageCapacity - 1)
        if !isKnownUniquelyReferenced(&pages[p][j]) { pages[p][j] = pages[p][j].copy() }
    }

    /// Calls `body` with each chunk's elements in order and the index of its first element.
    @inlinable
    public func withChunks(_ body: (_ first: Int, _ elements: UnsafeBufferPointer<Element>) throws -> Void) rethrows {
        var k = 0
        for page in pages {
            for chunk in page {
                try body(k << Self.chunkShift, chunk.buffer)
                k += 1
            }
        }
    }

    /// Calls `body` with a pointer to element `i` (read in place, not copied).
    @inline(__always)
    @inlinable
    public func withElement<R>(at i: Int, _ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < count, "ChunkedArray index out of range")
        return try body(UnsafePointer(chunk(i >> Self.chunkShift).base + (i & (Self.chunkCapacity - 1))))
    }

    /// Chunks held.
    @inlinable
    public var chunkCount: Int { (count + Self.chunkCapacity - 1) >> Self.chunkShift }

    /// Pages of chunk references held.
    public var pageCount: Int { pages.count }

    /// True when page `p` of both arrays is one and the same (so are its chunks).
    @inlinable
    func sharesPage(_ p: Int, with other: ChunkedArray<Element>) -> Bool {
        guard p < pages.count, p < other.pages.count else { return false }
        let mine = pages[p].withUnsafeBufferPointer { $0.baseAddress }
        return mine != nil && mine == other.pages[p].withUnsafeBufferPointer { $0.baseAddress }
    }

    /// Chunks of this array that `other` does not share at the same place (all of them when `other` is
    /// nil): what this copy holds of its own beside `other`.
    @inlinable
    public func chunksNotShared(with other: ChunkedArray<Element>?) -> Int {
        guard let other else { return chunkCount }
        var n = 0
        for p in pages.indices where !sharesPage(p, with: other) {
            for j in pages[p].indices {
                let k = p << Self.pageShift + j
                if !sharesChunk(k, with: other) { n += 1 }
            }
        }
        return n
    }

    /// Pages of chunk references of this array that `other` does not share at the same place (all of
    /// them when `other` is nil).
    @inlinable
    public func pagesNotShared(with other: ChunkedArray<Element>?) -> Int {
        guard let other else { return pages.count }
        return pages.indices.reduce(0) { $0 + (sharesPage($1, with: other) ? 0 : 1) }
    }

    /// True when chunk `k` of both arrays is one and the same (so its elements are equal).
    @inlinable
    public func sharesChunk(_ k: Int, with other: ChunkedArray<Element>) -> Bool {
        k < chunkCount && k < other.chunkCount && chunk(k) === other.chunk(k)
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
            return chunk(position >> Self.chunkShift).base[position & (Self.chunkCapacity - 1)]
        }
        @inline(__always)
        _modify {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            let k = position >> Self.chunkShift
            makeUnique(k)
            yield &chunk(k).base[position & (Self.chunkCapacity - 1)]
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
        for k in 0..<a.chunkCount where !a.sharesChunk(k, with: b) {
            guard a.chunk(k).buffer.elementsEqual(b.chunk(k).buffer) else { return false }
        }
        return true
    }
}

extension ChunkedArray: @unchecked Sendable where Element: Sendable {}
