// ashb-bench: the project's benchmarks, chosen by the first argument.
//
//     ashb-bench scheduler [--trials 1000,10000,100000,1000000] [--variant promotion|stopping] [--workers 4]
//                          [--best-of 3]
//
// Each benchmark prints a table for people, then one `bench=NAME key=value ...` line per measurement
// for scripts. Other parts add their benchmark as a file of its own and a case below.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let usage = """
    usage: ashb-bench BENCHMARK [options]
    benchmarks:
      scheduler   ASHA decisions per second on synthetic learning curves (both variants), and the
                  host's random-read latency the largest sizes depend on
      e2e         tuner reports per second: zero-cost objective, Dispatch pool, log on
      simulate    seconds for 100,000 trials on the simulated clock, log on
      utilization busy share of a 2-worker pool with log-normal 1 ms and 20 ms steps
      startup     milliseconds to the first job_started (in process, and from launching ashb-top)
      memory      resident memory with many paused trials (zero-cost, and digits-mlp-sized state)
      render      milliseconds per 200x60 dashboard frame from a 100,000-trial model [--ascii]
      cli         ashb-top run --headless end to end (simulated branin; 10 s zero run) beside the library
      replay      open a 1,000,000-event log: first frame, seeks, peak memory (ashb-top replay without a terminal)
      quality     mean regret of {random, tpe} x {promotion, stopping} x brackets on a recorded curve table
      sampler     milliseconds per TPE sample with 10,000 observations
      record-digits  record a learning-curve table of digits-mlp (random configurations x 81 epochs) as CSV
    """

let arguments = Array(CommandLine.arguments.dropFirst())

/// The benchmarks by the name that chooses them.
let benchmarks: [String: any Benchmark.Type] = [
    "scheduler": SchedulerBench.self, "e2e": EndToEndBench.self, "simulate": SimulateBench.self,
    "utilization": UtilizationBench.self, "startup": StartupBench.self, "memory": MemoryBench.self,
    "render": RenderBench.self, "cli": CLIBench.self, "replay": ReplayBench.self, "quality": QualityBench.self,
    "sampler": SamplerBench.self, "record-digits": RecordCurves.self,
]

let name = arguments.first ?? ""
if let benchmark = benchmarks[name] {
    do {
        try benchmark.init(arguments: Array(arguments.dropFirst())).run()
    } catch {
        print("ashb-bench \(name): \(error)")
        exit(2)
    }
} else {
    print(usage)
    if !["-h", "--help", "help"].contains(name) { exit(2) }
}
