import ArgumentParser

/// `tandem bench …`: benchmarks that print Tandem's figures beside a floor measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark (build with -c release for meaningful figures).",
        subcommands: [CodecBenchmark.self, MemoryProbeCommand.self, HTTPCeilingCommand.self, DeliveryBenchmark.self]
    )
}
