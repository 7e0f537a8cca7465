import CoManagement
import Delivery
import Foundation
import Logging
import NIOPosix
import Store
import Synchronization

/// Deliveries per second to a loopback sink: the real ``Forwarder`` over the SQLite outbox and over an
/// in-memory queue, beside the floor, a raw libcurl loop sending the same bodies at the same concurrency.
struct DeliveryThroughput {
    var deliveries: Int
    var concurrency: Int
    var forwarder: Forwarder.Configuration
    var idleConnectionsPerPartner: Int
    var mappings: MappingSet
    var logger: Logger

    /// One measured drain.
    struct Run: Sendable {
        var seconds: Double
        var delivered: Int
        var duplicates: Int
        var outOfOrder: Int
        var refused: Int
        /// Process CPU time (all threads) from the start to the last arrival.
        var cpuSeconds: Double
        /// The same, by the role of the threads that spent it.
        var threadSeconds: [ThreadCPU.Role: Double]

        var rate: Double { Double(self.delivered) / self.seconds }
        /// CPU microseconds per delivery, the sink's share included.
        var cpuPerDelivery: Double { self.perDelivery(self.cpuSeconds) }

        /// CPU microseconds per delivery on the threads of `role`.
        func cpuPerDelivery(on role: ThreadCPU.Role) -> Double { self.perDelivery(self.threadSeconds[role] ?? 0) }

        private func perDelivery(_ seconds: Double) -> Double {
            self.delivered > 0 ? seconds * 1_000_000 / Double(self.delivered) : 0
        }
    }

    /// When a measured drain starts: the clock, the process's CPU time and its threads' (``Run`` is measured
    /// from it to the last arrival).
    struct Start {
        let clock = ContinuousClock.now
        let cpuSeconds = ProcessCPU.seconds
        let threads = ThreadCPU.snapshot()
    }

    /// Plans the deliveries in a fresh store, then drains them through the forwarder and the store's
    /// outbox (as `tandem serve` does), timed from the first claim to the last arrival.
    func forwarderOverStore() async throws -> (Run, [ClaimedDelivery]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = BenchSink()
        return try await sink.withRunning { url in
            let (store, planned) = try await DeliveryBenchFixture.openStore(
                partner: DeliveryBenchFixture.partner(endpoint: url),
                mappings: self.mappings,
                directory: directory,
                logger: self.logger
            )
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                let rows = try await DeliveryBenchFixture.fill(store, until: self.deliveries, planned: planned)
                let run = try await self.drain(
                    OutboxQueue(store: store),
                    count: rows.count,
                    sink: sink,
                    url: url
                )
                return (run, rows)
            }
        }
    }

    /// Drains the same rows through the forwarder over ``MemoryDeliveryQueue``: the forwarder alone.
    func forwarderOverMemory(_ rows: [ClaimedDelivery]) async throws -> Run {
        let sink = BenchSink()
        return try await sink.withRunning { url in
            try await self.drain(MemoryDeliveryQueue(rows), count: rows.count, sink: sink, url: url)
        }
    }

    /// The floor: `concurrency` threads, each with one reused easy handle, POST the same bodies with the
    /// same headers (signed once, before the clock starts) as fast as the sink answers.
    ///
    /// It is the plain blocking loop: one `curl_easy_perform` per thread at a time, while the forwarder's
    /// ``CurlTransport`` drives a multi handle on one thread; the transport alone, driven the same way, did
    /// not beat it (docs/performance.md, "Outbox and delivery"), so the floor stays a floor.
    func rawLoop(_ rows: [ClaimedDelivery]) async throws -> Run {
        let sink = BenchSink()
        return try await sink.withRunning { url in
            let partner = DeliveryBenchFixture.partner(endpoint: url)
            let now = Int64(Date().timeIntervalSince1970)
            let requests = rows.map { row in
                let request = DeliveryRequestBuilder.request(
                    for: row.entry.delivery,
                    partner: partner,
                    body: row.entry.delivery.body,
                    attempt: 1,
                    timestamp: now
                )
                return RawCurlClient.Request(
                    url: request.url.absoluteString,
                    headers: request.headers.map { "\($0.name): \($0.value)" },
                    body: request.body
                )
            }
            let pool = NIOThreadPool(numberOfThreads: self.concurrency)
            pool.start()
            defer { pool.shutdownGracefully { _ in } }
            let cursor = RequestCursor()
            let start = Start()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<self.concurrency {
                    group.addTask {
                        try await pool.runIfActive {
                            guard let client = RawCurlClient() else { return }
                            while true {
                                let index = cursor.next.wrappingAdd(1, ordering: .relaxed).oldValue
                                guard index < requests.count else { return }
                                _ = client.post(requests[index])
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            _ = await sink.waitForDeliveries(requests.count, timeout: .seconds(10))
            return Self.run(sink, since: start)
        }
    }

    private func drain(_ queue: any DeliveryQueue, count: Int, sink: BenchSink, url: URL) async throws -> Run {
        let forwarder = Forwarder(
            queue: queue,
            driver: DeliveryDriver(
                transport: CurlTransport(
                    maximumIdleConnectionsPerPartner: self.idleConnectionsPerPartner,
                    logger: self.logger
                ),
                consentDefaultPermit: true
            ),
            partners: [DeliveryBenchFixture.partner(endpoint: url)],
            configuration: self.forwarder,
            logger: self.logger
        )
        let start = Start()
        let task = Task { try await forwarder.run() }
        let finished = await sink.waitForDeliveries(count, timeout: .seconds(120))
        let run = Self.run(sink, since: start)
        task.cancel()
        _ = try? await task.value
        guard finished else {
            throw BenchmarkFailure("the forwarder delivered \(run.delivered) of \(count) within 120 s")
        }
        return run
    }

    private static func run(
        _ sink: BenchSink,
        since start: Start
    ) -> Run {
        let seconds = (ContinuousClock.now - start.clock).seconds
        let cpuSeconds = ProcessCPU.seconds - start.cpuSeconds
        let threadSeconds = ThreadCPU.snapshot().seconds(since: start.threads)
        let tally = sink.snapshot
        return Run(
            seconds: seconds,
            delivered: tally.delivered,
            duplicates: tally.duplicates,
            outOfOrder: tally.outOfOrder,
            refused: tally.refused,
            cpuSeconds: cpuSeconds,
            threadSeconds: threadSeconds
        )
    }
}

/// The next request index, shared by the floor's threads.
final class RequestCursor: Sendable {
    let next = Atomic<Int>(0)
}

/// A benchmark that could not produce a figure.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
