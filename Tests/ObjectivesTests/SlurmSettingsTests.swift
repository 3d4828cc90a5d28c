import Testing

@testable import Objectives

@Suite("Slurm executor: settings, srun's command line, start lines, end causes (no cluster needed)")
struct SlurmSettingsTests {
    private func error(_ body: () throws(SlurmSettingsError) -> Void) -> SlurmSettingsError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("extra_args: options, --name=value, a value after its option; each word names its index when refused")
    func extraArgs() throws {
        try SlurmSettings.checkExtraArgs(["--account=ml", "--qos", "normal", "-A", "ml", "-Aml", "--exclusive"])
        let cases: [([String], String, String)] = [
            (["--account=ml", "ml"], "extra_args[1]", "is not an option"),
            (["--job-name=x"], "extra_args[0]", "'--job-name' is not allowed: ashb-top names each job"),
            (["-J", "x"], "extra_args[0]", "'-J' is not allowed"),
            (["-ofile"], "extra_args[0]", "'-o' is not allowed"),
            (["--export=NONE"], "extra_args[0]", "ASHB_CONFIG"),
            (["--partition=gpu"], "extra_args[0]", "use the key 'partition'"),
            (["--ok", "--bad\u{1B}[31m"], "extra_args[1]", "control character"),
            (["--"], "extra_args[0]", "would end srun's options"),
            (["--a b"], "extra_args[0]", "not a well-formed option"),
            ([""], "extra_args[0]", "1 to 200 characters"),
        ]
        for (words, key, message) in cases {
            let e = error { () throws(SlurmSettingsError) in try SlurmSettings.checkExtraArgs(words) }
            #expect(e?.key == key, "\(words)")
            #expect(e?.message.contains(message) == true, "\(words): \(String(describing: e))")
        }
    }

    @Test("time_limit: Slurm's formats pass, anything else names the value")
    func timeLimits() {
        for good in ["30", "30:00", "02:00:00", "1-0", "1-12:00", "2-00:00:00", "UNLIMITED", "infinite"] {
            #expect(error { () throws(SlurmSettingsError) in try SlurmSettings.checkTimeLimit(good) } == nil, "\(good)")
        }
        for bad in ["", "1h", "1:2:3:4", "1-2-3", "-5", "1:", "10 min", "1-"] {
            let e = error { () throws(SlurmSettingsError) in try SlurmSettings.checkTimeLimit(bad) }
            #expect(e?.key == "time_limit", "\(bad)")
        }
    }

    @Test("partition names, counts, queue_timeout and max_retries are range-checked")
    func ranges() {
        #expect(throws: SlurmSettingsError.self) { try SlurmSettings(partition: "gpu;rm") }
        #expect(throws: SlurmSettingsError.self) { try SlurmSettings(cpusPerTask: 0) }
        #expect(throws: SlurmSettingsError.self) { try SlurmSettings(gpusPerTask: 65) }
        #expect(throws: SlurmSettingsError.self) { try SlurmSettings(queueTimeout: 0) }
        #expect(throws: SlurmSettingsError.self) { try SlurmSettings(maxRetries: -1) }
        #expect(throws: Never.self) { try SlurmSettings(partition: "gpu-a100.long", cpusPerTask: 4, gpusPerTask: 1) }
    }

    @Test(
        "srun's command line: a job of its own, or a step of the allocation in SLURM_JOB_ID; the program's words unchanged"
    )
    func arguments() throws {
        let settings = try SlurmSettings(
            partition: "gpu", timeLimit: "02:00:00", cpusPerTask: 4, gpusPerTask: 1, extraArgs: ["--account=ml"])
        let alone = SlurmLauncher(settings: settings, environment: [:], tag: "my run/2026")
        #expect(alone.allocation == nil)
        #expect(alone.namePrefix == "ashb-myrun2026-")
        let argv = alone.arguments(program: ["python3", "train.py", "--lr", "$HOME; rm -rf /"], name: "ashb-x-t3-1")
        #expect(
            Array(argv.prefix(11)) == [
                "srun", "--job-name=ashb-x-t3-1", "--ntasks=1", "--nodes=1", "--unbuffered", "--kill-on-bad-exit=1",
                "--partition=gpu", "--time=02:00:00", "--cpus-per-task=4", "--gpus-per-task=1", "--account=ml",
            ])
        #expect(Array(argv.suffix(5)) == ["ashb-trial", "python3", "train.py", "--lr", "$HOME; rm -rf /"])
        #expect(argv[11] == "/bin/sh" && argv[12] == "-c")
        let inside = SlurmLauncher(settings: try SlurmSettings(), environment: ["SLURM_JOB_ID": "77"], tag: "r")
        #expect(inside.allocation == "77")
        let step = inside.arguments(program: ["p"], name: "n")
        #expect(step.contains("--jobid=77") && step.contains("--exact"), "\(step)")
        #expect(!argv.contains("--exact"))
        let bogus = SlurmLauncher(settings: try SlurmSettings(), environment: ["SLURM_JOB_ID": "7; x"], tag: "r")
        #expect(bogus.allocation == nil)
    }

    @Test("The start line gives job, step, node and the wait; anything else is refused")
    func startLine() {
        let p = SlurmPlacement.parse(Array("@ashb-slurm job=12 step=0 node=node-3".utf8), queueSeconds: 1.5)
        #expect(p == SlurmPlacement(job: "12", step: "0", node: "node-3", queueSeconds: 1.5))
        for bad in [
            "{\"resource\": 1, \"value\": 2}", "@ashb-slurm job= step=0 node=vm", "@ashb-slurm job=12 step=0 node=",
            "@ashb-slurm job=1;2 step=0 node=vm", "@ashb-slurm job=12 step=x node=vm", "@ashb-slurm job=12 step=0",
        ] {
            #expect(SlurmPlacement.parse(Array(bad.utf8), queueSeconds: 0) == nil, "\(bad)")
        }
    }

    @Test("The cluster's reasons for ending a job are told apart from the program's own exit")
    func endCauses() {
        #expect(SlurmEndCause.classify(stderrTail: "Traceback: boom", jobState: "FAILED") == nil)
        #expect(SlurmEndCause.classify(stderrTail: "", jobState: "TIMEOUT") == .timeLimit)
        #expect(SlurmEndCause.classify(stderrTail: "", jobState: "NODE_FAIL") == .nodeFailure)
        #expect(SlurmEndCause.classify(stderrTail: "", jobState: "PREEMPTED") == .preempted)
        #expect(
            SlurmEndCause.classify(
                stderrTail: "slurmstepd-vm: error: *** STEP 5.0 ON vm CANCELLED AT 2026-11-30T17:21:46 ***",
                jobState: nil) == .cancelled)
        #expect(
            SlurmEndCause.classify(
                stderrTail: "*** JOB 9 ON n1 CANCELLED AT 2026-11-30T17:21:46 DUE TO TIME LIMIT ***", jobState: nil)
                == .timeLimit)
    }

    @Test("resume finds the scancel targets in the log's started notes, once each, and nothing else")
    func leftoverTargets() {
        let notes = [
            "started: Slurm job 12 on vm; slurm_target=12 node=vm queued=0.09s",
            "started: Slurm step 40.3 on vm; slurm_target=40.3 node=vm queued=0.01s",
            "started: Slurm job 12 on vm; slurm_target=12 node=vm queued=0.09s",
            "started: x; slurm_target=12;rm node=vm",
            "a note: slurm_target=99",
        ]
        #expect(SlurmLeftovers.targets(inNotes: notes) == ["12", "40.3"])
    }

    @Test("resume takes the targets of job_placed events first, then older logs' notes; Slurm's only, once each")
    func leftoverTargetsFromPlacements() {
        let placements: [(executor: String, target: String)] = [
            ("slurm", "70"), ("slurm", "71.2"), ("slurm", "70"), ("other", "72"), ("slurm", "73;rm"),
        ]
        let notes = ["started: Slurm job 12 on vm; slurm_target=12 node=vm queued=0.09s", "x slurm_target=70"]
        #expect(SlurmLeftovers.targets(placements: placements, notes: notes) == ["70", "71.2", "12"])
    }
}
