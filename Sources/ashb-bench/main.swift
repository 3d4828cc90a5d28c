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
    """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "scheduler":
    do {
        try SchedulerBench(arguments: Array(arguments.dropFirst())).run()
    } catch {
        print("ashb-bench scheduler: \(error)")
        exit(2)
    }
case "-h", "--help", "help":
    print(usage)
default:
    print(usage)
    exit(2)
}
