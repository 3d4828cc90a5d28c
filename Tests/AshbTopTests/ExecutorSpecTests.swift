import Objectives
import Testing

@testable import AshbTop

@Suite("executor: section of a spec")
struct ExecutorSpecTests {
    private let head = """
        objective: {name: command, run: "/bin/true"}
        space: {x: {type: uniform, low: 0, high: 1}}

        """

    @Test("local is the default; type: slurm reads every key")
    func readsEveryKey() throws {
        #expect(try SpecParser.parse(head).executor == .local)
        #expect(try SpecParser.parse(head + "executor: local").executor == .local)
        let spec = try SpecParser.parse(
            head + """
                executor:
                  type: slurm
                  partition: gpu
                  time_limit: "02:00:00"
                  cpus_per_task: 4
                  gpus_per_task: 1
                  extra_args: ["--account=ml", "--qos=normal"]
                  queue_timeout: 600
                  max_retries: 3
                """)
        let expected = try SlurmSettings(
            partition: "gpu", timeLimit: "02:00:00", cpusPerTask: 4, gpusPerTask: 1,
            extraArgs: ["--account=ml", "--qos=normal"], queueTimeout: 600, maxRetries: 3)
        #expect(spec.executor == .slurm(expected))
        #expect(spec.executorLine == 4)
    }

    @Test("Every bad value is an error naming its key and line")
    func errorsNameKeyAndLine() {
        let cases: [(String, String)] = [
            ("executor: cloud", "line 3: 'executor': must be local or slurm, or a mapping"),
            ("executor: {type: pbs}", "line 3: 'executor.type': must be local or slurm (got 'pbs')"),
            (
                "executor: {type: slurn}",
                "line 3: 'executor.type': must be local or slurm (got 'slurn'; did you mean 'slurm'?)"
            ),
            (
                "executor: {type: slrum}",
                "line 3: 'executor.type': must be local or slurm (got 'slrum'; did you mean 'slurm'?)"
            ),
            (
                "executor: slurn",
                "line 3: 'executor': must be local or slurm, or a mapping (got 'slurn'; did you mean 'slurm'?)"
            ),
            ("executor: {partition: gpu}", "line 3: 'executor.type': required"),
            ("executor: {type: local, partition: gpu}", "line 3: 'executor.partition': only a slurm executor"),
            ("executor: {type: slurm, nodes: 2}", "line 3: 'executor.nodes': unknown key"),
            ("executor:\n  type: slurm\n  time_limit: 2h", "line 5: 'executor.time_limit': '2h' is not a Slurm time"),
            ("executor:\n  type: slurm\n  cpus_per_task: 0", "line 5: 'executor.cpus_per_task': must be at least 1"),
            (
                "executor:\n  type: slurm\n  extra_args:\n    - --account=ml\n    - --output=x.log",
                "line 7: 'executor.extra_args[1]': '--output' is not allowed"
            ),
            ("executor:\n  type: slurm\n  extra_args: --account=ml", "line 5: 'executor.extra_args': must be a list"),
            ("executor:\n  type: slurm\n  queue_timeout: -1", "line 5: 'executor.queue_timeout': must be positive"),
            ("executor:\n  type: slurm\n  partition: \"a b\"", "line 5: 'executor.partition': must be a partition"),
        ]
        for (text, message) in cases {
            let error = specError(head + text)
            #expect(error.map { "\($0)".hasPrefix(message) } == true, "\(text) → \(String(describing: error))")
        }
    }

    @Test("An executor on an objective that trains inside ashb-top is refused, naming the line")
    func onlyForCommand() {
        let text = "objective: branin\nexecutor: slurm\n"
        let error = #expect(throws: CLIError.self) {
            try Experiment.load(
                specText: text, label: "spec.yaml", baseDirectory: nil, seed: nil, workers: nil, simulate: false)
        }
        #expect(error?.description.contains("spec.yaml: line 2: 'executor': only the command objective") == true)
    }
}
