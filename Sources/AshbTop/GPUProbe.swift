import Foundation

/// Finds the machine's GPUs for `gpus: auto`, from `nvidia-smi -L`.
enum GPUProbe {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The indices `nvidia-smi -L` lists ("GPU 0: …"); throws when nvidia-smi is missing, fails, takes
    /// longer than 10 s, or lists none.
    static func devices() throws -> [String] {
        let candidates: [String] = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":").map { String($0) + "/nvidia-smi" }
        let path = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw Failure(description: "nvidia-smi was not found in PATH; list the devices instead") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-L"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw Failure(description: "cannot run \(path): \(error)") }
        let done = DispatchSemaphore(value: 0)
        let output = Box()
        DispatchQueue.global().async {
            output.data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        if done.wait(timeout: .now() + 10) == .timedOut {
            process.terminate()
            throw Failure(description: "nvidia-smi -L did not answer within 10 s")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "nvidia-smi -L exited with status \(process.terminationStatus)")
        }
        let text = String(decoding: output.data.prefix(1 << 20), as: UTF8.self)
        let ids = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("GPU "), let colon = line.firstIndex(of: ":") else { return nil }
            let id = line[line.index(line.startIndex, offsetBy: 4)..<colon]
            return Int(id).map(String.init)
        }
        guard !ids.isEmpty else { throw Failure(description: "nvidia-smi -L listed no GPU") }
        return ids
    }

    private final class Box: @unchecked Sendable {
        var data = Data()
    }
}
