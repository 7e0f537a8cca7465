import ArgumentParser
import Delivery
import Foundation
import Logging

/// `tandem-bench delivery`: issue 5's delivery figures, each beside what it is judged against.
///
/// 1. Throughput: N deliveries planned by the gateway's own outbox planning, drained to an in-process sink
///    over loopback by the real ``Forwarder``, ``DeliveryDriver`` and ``CurlTransport``, once over the SQLite
///    outbox (as `tandem serve` runs) and once over an in-memory queue (the forwarder alone); beside the
///    floor, a raw libcurl loop with the same bodies and concurrency. Rounds alternate; medians are shown.
/// 2. Latency: a real `tandem serve` with the sink as its partner, offered a steady open-loop load.
struct DeliveryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery",
        abstract: "Measure delivery throughput beside a raw libcurl loop, and ingest-to-partner latency."
    )

    @Option(help: "Deliveries drained per throughput round.")
    var deliveries = 4000

    @Option(help: "Requests in flight (the forwarder's concurrency and the raw loop's threads).")
    var concurrency = Forwarder.Configuration().concurrency

    @Option(help: "The forwarder's claim batch (see the serve configuration's delivery.claimBatch).")
    var claimBatch = Forwarder.Configuration().claimBatch

    @Option(help: "Idle connections kept per partner (delivery.idleConnectionsPerPartner; tandem serve's default).")
    var idleConnections = 64

    @Option(help: "Throughput rounds (each: raw loop, forwarder over SQLite, forwarder in memory).")
    var rounds = 3

    @Option(help: "Messages per second offered to tandem serve in the latency run; 0 skips it.")
    var rate = 500

    @Option(help: "Seconds of offered load in the latency run.")
    var seconds = 20

    /// Enough that each patient gets a referral or two in a run, as in real traffic. With few patients each
    /// collects many episodes, and every new referral re-derives all of its patient's episodes, so the
    /// latency then measures that (docs/performance.md, "Outbox and delivery").
    @Option(help: "Distinct patients the latency run's referrals are for.")
    var patients = 5000

    @Option(help: "The tandem executable to run as the gateway (default: the one beside this one).")
    var serve: String?

    @Option(help: "The gateway's delivery settings as JSON, e.g. '{\"claimBatch\": 1}' (default: its defaults).")
    var gatewayDelivery: String?

    @Option(help: "The Mappings directory.")
    var mappings = "Mappings"

    @Flag(help: "Skip the throughput rounds.")
    var skipThroughput = false

    func validate() throws {
        guard self.deliveries > 0, self.concurrency > 0, self.rounds > 0 else {
            throw ValidationError("--deliveries, --concurrency and --rounds must be positive")
        }
        guard (1...self.concurrency).contains(self.claimBatch) else {
            throw ValidationError("--claim-batch must be 1 to --concurrency")
        }
        guard self.rate >= 0, self.seconds > 0, self.patients > 0 else {
            throw ValidationError("--rate must be 0 or more, --seconds and --patients positive")
        }
    }

    func run() async throws {
        var logger = Logger(label: "tandem.bench")
        logger.logLevel = .warning
        if !self.skipThroughput {
            let throughput = DeliveryThroughput(
                deliveries: self.deliveries,
                concurrency: self.concurrency,
                forwarder: Forwarder.Configuration(
                    concurrency: self.concurrency,
                    claimBatch: self.claimBatch,
                    pollInterval: .milliseconds(100),
                    lease: .seconds(120)
                ),
                idleConnectionsPerPartner: self.idleConnections,
                mappings: try DeliveryBenchFixture.mappings(at: self.mappings),
                logger: logger
            )
            try await self.throughput(throughput)
        }
        if self.rate > 0 {
            let probe = DeliveryLatencyProbe(
                executable: ServeProcess.executable(self.serve),
                mappings: self.mappings,
                rate: self.rate,
                seconds: self.seconds,
                patients: self.patients,
                delivery: self.gatewayDelivery
            )
            Self.report(try await probe.run(), rate: self.rate, seconds: self.seconds, patients: self.patients)
        }
    }

    private func throughput(_ throughput: DeliveryThroughput) async throws {
        var floor: [DeliveryThroughput.Run] = []
        var store: [DeliveryThroughput.Run] = []
        var memory: [DeliveryThroughput.Run] = []
        for _ in 0..<self.rounds {
            let (overStore, rows) = try await throughput.forwarderOverStore()
            store.append(overStore)
            memory.append(try await throughput.forwarderOverMemory(rows))
            floor.append(try await throughput.rawLoop(rows))
        }
        print(
            """
            delivery throughput: \(store[0].delivered) deliveries a round (new cataract referrals, \
            \(self.concurrency) in flight, claim batch \(self.claimBatch), \(self.idleConnections) idle \
            connections), \(self.rounds) rounds, medians (vs raw loop: of each round against its own floor); \
            sink in process on loopback, signatures verified
            """
        )
        print(
            "target".padded(44) + "deliveries/s".leftAligned(13)
                + "   vs raw loop   CPU µs/delivery   dup  out-of-order"
        )
        for (name, runs) in Self.targets(floor: floor, store: store, memory: memory) {
            let rate = Self.median(runs.map(\.rate))
            // Each round's rate against the same round's floor, then the median: rounds run a few seconds
            // apart, so a round's own floor shares the machine's state of the moment.
            let ratio = Self.median(zip(runs, floor).map { run, floor in run.rate / floor.rate })
            print(
                name.padded(44) + rate.formatted(0).leftAligned(13) + "   "
                    + "\((100 * ratio).formatted(0))%".leftAligned(11)
                    + Self.median(runs.map(\.cpuPerDelivery)).formatted(0).leftAligned(18)
                    + "\(runs.map(\.duplicates).reduce(0, +))".leftAligned(6)
                    + "\(runs.map(\.outOfOrder).reduce(0, +))".leftAligned(14)
            )
        }
        print(
            "rounds (floor / SQLite / memory, deliveries/s): "
                + (0..<self.rounds).map { index in
                    [floor[index], store[index], memory[index]].map { $0.rate.formatted(0) }.joined(separator: " / ")
                }.joined(separator: ", ")
        )
        Self.reportThreads(floor: floor, store: store, memory: memory)
        print("")
    }

    /// The three targets of a round, named as both tables print them.
    private static func targets(
        floor: [DeliveryThroughput.Run],
        store: [DeliveryThroughput.Run],
        memory: [DeliveryThroughput.Run]
    ) -> [(name: String, runs: [DeliveryThroughput.Run])] {
        [
            ("raw libcurl loop (floor)", floor), ("forwarder + SQLite outbox (as in serve)", store),
            ("forwarder + in-memory queue", memory),
        ]
    }

    /// Where each target's CPU went, by thread, and what the 60% target leaves the store: when every core
    /// is busy in both runs, a rate 60% of the floor's is a CPU cost per delivery of at most the floor's
    /// divided by 0.6.
    private static func reportThreads(
        floor: [DeliveryThroughput.Run],
        store: [DeliveryThroughput.Run],
        memory: [DeliveryThroughput.Run]
    ) {
        let roles = ThreadCPU.Role.allCases
        print(
            "CPU µs per delivery by thread, medians: " + roles.map(\.label).joined(separator: " / ")
                + "; cores busy (CPU seconds per second). Thread pools: the floor's clients, the SQLite "
                + "store's threads; the sink runs on the cooperative pool and the event loops"
        )
        for (name, runs) in Self.targets(floor: floor, store: store, memory: memory) {
            let perRole = roles.map { role in Self.median(runs.map { $0.cpuPerDelivery(on: role) }).formatted(1) }
            let cores = Self.median(runs.map { $0.cpuSeconds / $0.seconds })
            print(name.padded(44) + perRole.joined(separator: " / ") + "; " + cores.formatted(2))
        }
        let allowed = Self.median(floor.map(\.cpuPerDelivery)) / 0.6
        let forwarder = Self.median(memory.map(\.cpuPerDelivery))
        let overMemory = Self.median(zip(store, memory).map { $0.cpuPerDelivery - $1.cpuPerDelivery })
        let storeThreads = Self.median(store.map { $0.cpuPerDelivery(on: .threadPool) })
        print(
            """
            60% of the floor's rate allows \(allowed.formatted(0)) CPU µs per delivery (the floor's / 0.6); the \
            in-memory forwarder took \(forwarder.formatted(0)), which leaves the store \
            \((allowed - forwarder).formatted(0)); the SQLite drain took \(overMemory.formatted(0)) more than the \
            in-memory one, and the store's threads \(storeThreads.formatted(0)) (medians of the rounds)
            """
        )
    }

    private static func report(_ result: DeliveryLatencyProbe.Result, rate: Int, seconds: Int, patients: Int) {
        func percentiles(_ values: [Double]) -> String {
            guard !values.isEmpty else { return "-" }
            func at(_ fraction: Double) -> Double {
                values[min(values.count - 1, Int(Double(values.count) * fraction))]
            }
            return "p50 \(at(0.5).formatted(1))  p99 \(at(0.99).formatted(1))  max \(values.last!.formatted(1))"
        }
        print(
            """
            ingest-to-partner latency: tandem serve, \(rate) messages/s offered (open loop) for \(seconds) s, \
            new cataract referrals for \(patients) patients, one partner (the sink)
            messages offered \(result.offered), acknowledged \(result.acknowledged), lost \(result.lost); \
            deliveries \(result.deliveries), duplicates \(result.duplicates), out of order \(result.outOfOrder)
            due → last notification (ms):  \(percentiles(result.toLast))
            due → first notification (ms): \(percentiles(result.toFirst))
            due → 2xx from the gateway (ms): \(percentiles(result.toAcknowledgement))
            worst lateness of the open loop's sends: \(result.worstSendLag.formatted(1)) ms
            """
        )
        if let bytes = result.gatewayBytesWritten, result.acknowledged > 0 {
            let perMessage = Double(bytes) / Double(result.acknowledged) / 1024
            print(
                "the gateway wrote \((Double(bytes) / 1_000_000).formatted(0)) MB to storage during the run "
                    + "(\(perMessage.formatted(0)) KiB per acknowledged message: its WAL and the checkpoints' copies)"
            )
        }
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
