import ArgumentParser
import Foundation

/// `tandem-bench history`: issue 20's history figures (``HistoryProbe``), each beside a baseline measured
/// in the same run and the target issue 20 sets.
struct HistoryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Measure a restart after a history of episodes, and one patient's referrals as they accumulate."
    )

    @Option(help: "Episodes ingested before the restart (each a new referral for a new patient).")
    var episodes = 100_000

    @Option(help: "Requests in flight while ingesting them.")
    var connections = 32

    @Option(help: "Referrals posted for one patient, one after another (and as many for new patients).")
    var referrals = 300

    @Option(help: "How many of the first and of the last referrals are compared.")
    var compare = 30

    @Option(help: "Referrals posted after each restart before the memory is read again.")
    var warmUp = 20

    @Option(help: "The tandem executable to run as the gateway (default: the one beside this one).")
    var serve: String?

    @Option(help: "The Mappings directory.")
    var mappings = "Mappings"

    func validate() throws {
        guard self.episodes >= 0, self.connections > 0, self.warmUp >= 0 else {
            throw ValidationError("--episodes and --warm-up must be 0 or more, --connections positive")
        }
        guard self.compare > 0, self.compare <= self.referrals else {
            throw ValidationError("--compare must be positive and at most --referrals")
        }
    }

    func run() async throws {
        let probe = HistoryProbe(
            executable: ServeProcess.executable(self.serve),
            mappings: self.mappings,
            episodes: self.episodes,
            connections: self.connections,
            referrals: self.referrals,
            warmUp: self.warmUp
        )
        let result = try await probe.run()
        print(HistoryReport(result: result, probe: probe, compare: self.compare).render())
    }
}
