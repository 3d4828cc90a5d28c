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
      scheduler   ASHA decisions per second on synthetic learning curves (both variants)
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

/// Runs a tuner benchmark with the options after its name; a thrown error ends the process.
func runTunerBench(_ name: String, _ body: ([String]) throws -> Void) {
    do {
        try body(Array(arguments.dropFirst()))
    } catch {
        print("ashb-bench \(name): \(error)")
        exit(2)
    }
}

switch arguments.first {
case "scheduler":
    do {
        try SchedulerBench(arguments: Array(arguments.dropFirst())).run()
    } catch {
        print("ashb-bench scheduler: \(error)")
        exit(2)
    }
case "e2e":
    runTunerBench("e2e") { try EndToEndBench(arguments: $0).run() }
case "simulate":
    runTunerBench("simulate") { try SimulateBench(arguments: $0).run() }
case "utilization":
    runTunerBench("utilization") { try UtilizationBench(arguments: $0).run() }
case "startup":
    runTunerBench("startup") { try StartupBench(arguments: $0).run() }
case "memory":
    runTunerBench("memory") { try MemoryBench(arguments: $0).run() }
case "render":
    runTunerBench("render") { try RenderBench(arguments: $0).run() }
case "cli":
    runTunerBench("cli") { try CLIBench(arguments: $0).run() }
case "replay":
    runTunerBench("replay") { try ReplayBench(arguments: $0).run() }
case "quality":
    runTunerBench("quality") { try QualityBench(arguments: $0).run() }
case "sampler":
    runTunerBench("sampler") { try SamplerBench(arguments: $0).run() }
case "record-digits":
    runTunerBench("record-digits") { try RecordCurves(arguments: $0).run() }
case "-h", "--help", "help":
    print(usage)
default:
    print(usage)
    exit(2)
}
