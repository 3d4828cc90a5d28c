import RunLog
import Testing

/// The chunked copy-on-write array that a replay's snapshots share their trial tables through.
@Suite("Chunked copy-on-write array")
struct ChunkedArrayTests {
    /// Enough elements for several chunks and a partial last one.
    static let count = ChunkedArray<Int>.chunkCapacity * 3 + 17

    @Test func holdsWhatWasAppendedInOrderAcrossChunks() {
        var a = ChunkedArray<Int>()
        for i in 0..<Self.count { a.append(i * 3) }
        #expect(a.count == Self.count)
        #expect(a.chunkCount == 4)
        #expect(Array(a) == (0..<Self.count).map { $0 * 3 })
        var seen: [Int] = []
        a.withChunks { first, elements in
            #expect(first == seen.count)
            seen.append(contentsOf: elements)
        }
        #expect(seen == Array(a))
        #expect(a.withElement(at: Self.count - 1) { $0.pointee } == (Self.count - 1) * 3)
    }

    @Test func mutatingACopyLeavesTheOriginalAsItWas() {
        var original = ChunkedArray<String>((0..<Self.count).map { "t\($0)" })
        var copy = original
        #expect(copy.chunksNotShared(with: original) == 0)
        copy[5] = "changed"
        copy[Self.count - 1] += "!"
        copy.append("new")
        #expect(original[5] == "t5")
        #expect(original[Self.count - 1] == "t\(Self.count - 1)")
        #expect(original.count == Self.count)
        #expect(copy[5] == "changed")
        #expect(copy[Self.count - 1] == "t\(Self.count - 1)!")
        #expect(copy.count == Self.count + 1)
        // Only the two chunks written to (the first and the last) are the copy's own.
        #expect(copy.chunksNotShared(with: original) == 2)
        #expect(copy.sharesChunk(1, with: original) && copy.sharesChunk(2, with: original))
        #expect(!copy.sharesChunk(0, with: original))
        // And the other way round: the original written to after the copy is left alone too.
        original[ChunkedArray<String>.chunkCapacity + 1] = "orig"
        #expect(copy[ChunkedArray<String>.chunkCapacity + 1] == "t\(ChunkedArray<String>.chunkCapacity + 1)")
    }

    @Test func equalityComparesElementsNotChunks() {
        let a = ChunkedArray(0..<Self.count)
        var b = a
        #expect(a == b)
        b[3] = -1
        #expect(a != b)
        b[3] = 3
        // Equal again, though chunk 0 is no longer shared.
        #expect(a == b)
        #expect(b.chunksNotShared(with: a) == 1)
        b.append(0)
        #expect(a != b)
        #expect(ChunkedArray(0..<Self.count) == a)
    }

    @Test func removeAllEmptiesOnlyThisCopy() {
        var a = ChunkedArray(0..<Self.count)
        let b = a
        a.removeAll()
        #expect(a.isEmpty && a.chunkCount == 0)
        #expect(b.count == Self.count && b.last == Self.count - 1)
        a.append(7)
        #expect(Array(a) == [7])
    }

    /// An element of 64 bytes, like a trial record.
    struct Wide: Equatable {
        var id: Int
        var padding: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)

        static func == (a: Wide, b: Wide) -> Bool { a.id == b.id }
    }

    @Test func wideElementsComeInSmallChunksSoAWriteCopiesLittle() {
        #expect(ChunkedArray<Wide>.chunkCapacity == 16)
        #expect(ChunkedArray<Int>.chunkCapacity == 256)
        let n = 16 * 40 + 3
        let original = ChunkedArray((0..<n).map { Wide(id: $0) })
        #expect(original.chunkCount == 41)
        var copy = original
        // Writes to scattered elements copy only their chunks: 3 writes, 2 chunks.
        copy[17].id = -17
        copy[18].id = -18
        copy[n - 1].id = -1
        #expect(copy.chunksNotShared(with: original) == 2)
        #expect(original[17].id == 17 && original[n - 1].id == n - 1)
        #expect(copy[17].id == -17 && copy[18].id == -18 && copy[16].id == 16)
        var seen: [Int] = []
        copy.withChunks { first, elements in
            #expect(first == seen.count)
            seen.append(contentsOf: elements.map(\.id))
        }
        #expect(seen.count == n && seen[18] == -18 && seen[100] == 100)
    }

    @Test func aCopySharesPagesOfChunkReferencesUntilOneIsWritten() {
        // Five pages of chunk references (the last one partly filled).
        let perPage = ChunkedArray<Int>.pageCapacity * ChunkedArray<Int>.chunkCapacity
        let n = perPage * 4 + 300
        let original = ChunkedArray(0..<n)
        #expect(original.pageCount == 5)
        #expect(original.chunkCount == 4 * ChunkedArray<Int>.pageCapacity + 2)
        var copy = original
        #expect(copy.pagesNotShared(with: original) == 0 && copy.chunksNotShared(with: original) == 0)
        // One write copies one chunk and the page that refers to it; the other pages stay shared.
        copy[perPage * 2 + 5] = -1
        #expect(copy.pagesNotShared(with: original) == 1)
        #expect(copy.chunksNotShared(with: original) == 1)
        #expect(copy.sharesChunk(2 * ChunkedArray<Int>.pageCapacity + 1, with: original))
        #expect(!copy.sharesChunk(2 * ChunkedArray<Int>.pageCapacity, with: original))
        // Appending writes to the last page only.
        copy.append(n)
        #expect(copy.pagesNotShared(with: original) == 2 && copy.chunksNotShared(with: original) == 2)
        #expect(original[perPage * 2 + 5] == perPage * 2 + 5 && original.count == n)
        #expect(copy[perPage * 2 + 5] == -1 && copy[n] == n && copy.count == n + 1)
        #expect(Array(copy.prefix(perPage * 2 + 5)) == Array(0..<(perPage * 2 + 5)))
        #expect(copy != original && ChunkedArray(copy) == copy)
        var seen = 0
        copy.withChunks { first, elements in
            #expect(first == seen)
            seen += elements.count
        }
        #expect(seen == n + 1)
    }
}
