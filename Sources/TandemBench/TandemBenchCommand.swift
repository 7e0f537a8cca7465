import ArgumentParser

/// `tandem-bench`: benchmarks that print Tandem's figures beside a floor measured in the same run. What they
/// measured so far is in docs/performance.md.
@main
struct TandemBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem-bench",
        abstract: "Run a benchmark of Tandem (build with -c release for meaningful figures).",
        subcommands: [
            CodecBenchmark.self, MemoryProbeCommand.self, HTTPCeilingCommand.self, DurableFloorCommand.self,
            DeliveryBenchmark.self, HistoryBenchmark.self, NormaliserBenchmark.self, PostgresRoundTripCommand.self,
            PostgresFloorCommand.self,
        ]
    )
}
