import Foundation
import Testing

@testable import RunLog

/// The run log's one line reader: offsets, starting at a line found by an index, a pending last line,
/// and lines that cross the read chunk.
@Suite struct LogLineReaderTests {
    static func file(_ text: String) -> String {
        let path = temporaryDirectory() + "/lines.txt"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    static func text(_ line: ArraySlice<UInt8>?) -> String? { line.map { String(decoding: $0, as: UTF8.self) } }

    @Test func linesComeWithTheOffsetOfTheNextOne() throws {
        let reader = try LogLineReader(path: Self.file("ab\n\ncde\nf"))
        #expect(Self.text(try reader.nextLine()) == "ab")
        #expect(reader.offset == 3)
        #expect(Self.text(try reader.nextLine()) == "")
        #expect(reader.offset == 4)
        #expect(Self.text(try reader.nextLine()) == "cde")
        #expect(reader.offset == 8)
        // The incomplete last line is held back, not returned.
        #expect(try reader.nextLine() == nil)
        #expect(reader.pendingBytes == 1)
        #expect(reader.readOffset == 9)
    }

    @Test func aPendingLineIsReturnedOnceItIsCompleted() throws {
        let path = Self.file("ab\nc")
        let reader = try LogLineReader(path: path)
        #expect(Self.text(try reader.nextLine()) == "ab")
        #expect(try reader.nextLine() == nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("d\n".utf8))
        try handle.close()
        #expect(Self.text(try reader.nextLine()) == "cd")
        #expect(reader.offset == 6)
    }

    @Test func readingStartsAtAnOffsetAndSeeks() throws {
        let lines = (0..<50_000).map { "line \($0) " + String(repeating: "x", count: $0 % 40) }
        let path = Self.file(lines.joined(separator: "\n") + "\n")
        let reader = try LogLineReader(path: path)
        var offsets: [Int] = []
        var count = 0
        while true {
            offsets.append(reader.offset)
            guard let line = try reader.nextLine() else { break }
            #expect(Self.text(line) == lines[count])
            count += 1
        }
        #expect(count == lines.count)  // lines crossing the 256 KiB read chunk come back whole
        for i in [0, 1, 777, 31_000, 49_999] {
            reader.seek(to: offsets[i])
            #expect(Self.text(try reader.nextLine()) == lines[i])
            #expect(Self.text(try reader.nextLine()) == (i + 1 < lines.count ? lines[i + 1] : nil))
        }
        let fresh = try LogLineReader(path: path, offset: offsets[12_345])
        #expect(Self.text(try fresh.nextLine()) == lines[12_345])
    }

    @Test func aLineLongerThanTheLimitIsAnError() throws {
        let reader = try LogLineReader(path: Self.file(String(repeating: "y", count: LogLineReader.maxLineBytes + 5)))
        #expect(throws: LogError.self) { _ = try reader.nextLine() }
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: LogError.self) { _ = try LogLineReader(path: "/nonexistent/ashb/lines.txt") }
    }
}
