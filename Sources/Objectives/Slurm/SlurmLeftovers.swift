import Foundation

/// What an earlier ashb-top process of a run left on the cluster (it was killed with `kill -9`, or its
/// machine went down): `ashb-top resume` cancels it before the run goes on, so no job of the first
/// process keeps running beside the resumed ones.
public enum SlurmLeftovers {
    /// The key in a trial's `started:` note that names what `scancel` addresses (`12`, or `12.3` for a
    /// step of an allocation): logs written before the `job_placed` event held these notes.
    public static let targetKey = "slurm_target"

    /// The scancel targets of a log: those of its `job_placed` events of the Slurm executor (`job`, or
    /// `job.step`), then those named in older logs' notes; each once, well-formed ones only.
    public static func targets(placements: [(executor: String, target: String)], notes: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for p in placements where p.executor == "slurm" && SlurmControl.isJobOrStepID(p.target) {
            if seen.insert(p.target).inserted { out.append(p.target) }
        }
        for target in targets(inNotes: notes) where seen.insert(target).inserted { out.append(target) }
        return out
    }

    /// The scancel targets named in notes (messages of older logs) such as
    /// `started: Slurm job 12 on vm; slurm_target=12 node=vm queued=0.09s`.
    public static func targets(inNotes texts: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for text in texts where text.hasPrefix("started: ") {
            for word in text.split(separator: " ") where word.hasPrefix("\(targetKey)=") {
                let target = String(word.dropFirst(targetKey.count + 1))
                if SlurmControl.isJobOrStepID(target), seen.insert(target).inserted { out.append(target) }
            }
        }
        return out
    }

    /// Cancels the caller's jobs and steps whose name starts with `namePrefix` (pending ones included) and
    /// the `targets` that Slurm still runs, then waits (up to `wait` seconds) until they are gone. Returns
    /// what was cancelled.
    public static func cancel(namePrefix: String, targets: [String], wait: Double = 30) -> [String] {
        let live = ["PENDING", "RUNNING", "SUSPENDED", "STOPPED", "CONFIGURING", "RESIZING", "REQUEUED"]
        var doomed: [String] = []
        let jobTargets = targets.filter { !$0.contains(".") }
        for job in SlurmControl.jobs(jobTargets) where live.contains(job.state) { doomed.append(job.id) }
        for job in SlurmControl.jobsOfUser() where job.name.hasPrefix(namePrefix) && live.contains(job.state) {
            if !doomed.contains(job.id) { doomed.append(job.id) }
        }
        let stepTargets = Set(targets.filter { $0.contains(".") })
        for step in SlurmControl.steps() where stepTargets.contains(step.id) || step.name.hasPrefix(namePrefix) {
            // A step of a job that is cancelled whole goes with it.
            let job = String(step.id.prefix { $0 != "." })
            if !doomed.contains(step.id), !doomed.contains(job) { doomed.append(step.id) }
        }
        for target in doomed { SlurmControl.cancel(target) }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, wait) * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let jobs = Set(doomed.filter { !$0.contains(".") })
            let steps = Set(doomed.filter { $0.contains(".") })
            let stillJobs = SlurmControl.jobs(Array(jobs)).contains {
                live.contains($0.state) || $0.state == "COMPLETING"
            }
            let stillSteps = !steps.isEmpty && SlurmControl.steps().contains { steps.contains($0.id) }
            if !stillJobs && !stillSteps { break }
            usleep(200_000)
        }
        return doomed
    }
}
