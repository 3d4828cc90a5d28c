import Foundation
import Testing

/// `export -o PATH` writes into PATH: a symlink stays a symlink (and its target gets the rows). An atomic
/// rename would have replaced it, and as root would replace /dev/null with a regular file.
@Suite("Export output")
struct ExportOutputTests {
    @Test func exportToASymlinkWritesThroughIt() throws {
        let dir = newDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixture = ReplayFixtureTests.fixtureDirectory
        let target = dir + "/target.csv"
        let link = dir + "/link.csv"
        #expect(FileManager.default.createFile(atPath: target, contents: nil))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let exported = try runAshbTop(["export", fixture, "-o", link])
        #expect(exported.status == 0, "\(exported.err)")
        let type = try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType
        #expect(type == .typeSymbolicLink, "export -o replaced the symlink")
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("trial,"))
    }

    @Test func anOutputThatCannotBeWrittenIsNamed() throws {
        let fixture = ReplayFixtureTests.fixtureDirectory
        let bad = newDirectory() + "/no-such-dir/x.csv"
        let exported = try runAshbTop(["export", fixture, "-o", bad])
        #expect(exported.status != 0)
        #expect(exported.err.contains("cannot write '\(bad)'"), "\(exported.err)")
    }
}
