import Foundation
import Testing

/// The `ashb-top` executable built beside the test bundle.
func ashbTopBinary() throws -> String {
    var candidates: [String] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().path + "/ashb-top") }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/ashb-top")
    candidates.append(repositoryRoot + "/.build/debug/ashb-top")
    for c in candidates where FileManager.default.isExecutableFile(atPath: c) { return c }
    throw BinaryMissing(searched: candidates)
}

struct BinaryMissing: Error, CustomStringConvertible {
    var searched: [String]
    var description: String { "ashb-top was not built; looked in \(searched)" }
}

/// Starts `ashb-top` with `arguments` in the background (stdin empty), its output in `dir`'s `out.txt`
/// and `err.txt`, run from `cwd` when given.
func startAshbTop(_ arguments: [String], dir: String, cwd: String? = nil) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
    p.arguments = arguments
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    _ = FileManager.default.createFile(atPath: dir + "/out.txt", contents: nil)
    _ = FileManager.default.createFile(atPath: dir + "/err.txt", contents: nil)
    p.standardOutput = FileHandle(forWritingAtPath: dir + "/out.txt")
    p.standardError = FileHandle(forWritingAtPath: dir + "/err.txt")
    p.standardInput = FileHandle.nullDevice
    try p.run()
    return p
}

/// Runs `ashb-top` with `arguments` (stdout and stderr captured, stdin empty) and waits for it.
func runAshbTop(_ arguments: [String], cwd: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
    p.arguments = arguments
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Read both pipes fully before waiting, so a chatty child cannot fill a pipe and stall.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        outData = out.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

func newDirectory() -> String {
    let dir = NSTemporaryDirectory() + "ashb-e2e-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// The single run directory under `root`.
func onlyRun(in root: String) throws -> String {
    let runs = try FileManager.default.contentsOfDirectory(atPath: root)
    try #require(runs.count == 1, "expected one run directory, found \(runs)")
    return root + "/" + runs[0]
}

/// Starts `ashb-top run SPEC --headless` with its runs under `root` and returns once `ready` holds for
/// the run's directory and its log text (or after 30 s), for a test to signal it then.
func startHeadlessRun(
    _ spec: String, root: String, stdout: Any = FileHandle.nullDevice, stderr: Any = FileHandle.nullDevice,
    poll: TimeInterval = 0.02, until ready: (_ run: String, _ log: String) -> Bool
) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
    p.arguments = ["run", spec, "--headless", "--runs-dir", root]
    p.standardOutput = stdout
    p.standardError = stderr
    try p.run()
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
        if let r = try? FileManager.default.contentsOfDirectory(atPath: root).first,
            let log = try? String(contentsOfFile: root + "/" + r + "/events.jsonl", encoding: .utf8),
            ready(root + "/" + r, log)
        {
            break
        }
        Thread.sleep(forTimeInterval: poll)
    }
    return p
}
