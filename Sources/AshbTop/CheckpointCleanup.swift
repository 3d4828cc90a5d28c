import Foundation
import Objectives
import RunLog

/// What stays of a `command` run's checkpoint directories (`RUN/trials/<id>/checkpoint/`) when the run
/// is over, and how much disk the run directory takes.
enum CheckpointCleanup {
    /// Whether a run that ended for `reason` is over for good (a resume refuses it without `--extend`):
    /// then even the trials that could have gone on lose their checkpoints (except as `keep` says).
    static func isOver(_ reason: String?) -> Bool {
        guard let reason else { return false }
        return ["finished", "time budget", "nothing left to run"].contains(reason)
    }

    /// What the summary's `Disk` line says was kept: `keep`, unless the run can be resumed, when every
    /// trial that can go on keeps its directory too (whatever `keep` says).
    static func keptLabel(_ keep: KeepCheckpoints, resumable: Bool) -> String {
        resumable && keep != .all ? "\(keep), and every trial's that can go on (for a resume)" : "\(keep)"
    }

    /// Removes the checkpoint directories `keep` does not keep: with `best`, every one but the best
    /// trial's; with `none`, every one; with `all`, none. A trial that may still train (the run can be
    /// resumed: `resumable`) keeps its directory whatever `keep` says.
    static func apply(
        trialsDirectory: String, keep: KeepCheckpoints, best: Int?, statuses: [TrialStatus], resumable: Bool
    ) {
        guard keep != .all else { return }
        for (t, status) in statuses.enumerated() {
            let final = [.completed, .stopped, .failed, .killed].contains(status)
            if resumable, !final { continue }
            if keep == .best, t == best { continue }
            let path = "\(trialsDirectory)/\(t)/checkpoint"
            if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// The bytes the files under `path` take (their sizes, summed; links not followed).
    static func diskUsage(_ path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String {
            var st = stat()
            if lstat(path + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int(st.st_size) }
        }
        return total
    }

    /// "12.3 MB", "512 B".
    static func formatBytes(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var i = 0
        while value >= 1000, i < units.count - 1 {
            value /= 1000
            i += 1
        }
        return i == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[i]
    }
}
