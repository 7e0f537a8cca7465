import Delivery
import Foundation
import NIOPosix
import Synchronization

/// Ingest-to-partner latency: a real `tandem serve` with the benchmark's sink as its partner, offered a
/// steady load (open loop: message `i` is due at `start + i / rate`, whether or not earlier ones were
/// answered), each message a new cataract referral whose identifier carries its number.
///
/// A message's latency runs from when it was due to when the sink received the last of its notifications
/// (one per timeline event it caused), on one monotonic clock in this process. A message acknowledged with
/// a 2xx whose notifications never arrive is lost.
struct DeliveryLatencyProbe: Sendable {
    var executable: URL
    var mappings: String
    var rate: Int
    var seconds: Int
    var patients: Int
    /// The `delivery` object of the gateway's configuration, as JSON (nil: the gateway's defaults).
    var delivery: String?

    struct Result: Sendable {
        var offered: Int
        var acknowledged: Int
        var lost: Int
        var deliveries: Int
        var duplicates: Int
        var outOfOrder: Int
        /// Milliseconds, due time to the last notification of each delivered message, sorted.
        var toLast: [Double]
        /// Milliseconds, due time to the first notification, sorted.
        var toFirst: [Double]
        /// Milliseconds, due time to the gateway's 2xx, sorted.
        var toAcknowledgement: [Double]
        /// How late the open loop started sending, at worst (a busy client would skew the figures).
        var worstSendLag: Double
        /// What the gateway wrote to storage from its start until the load was drained (nil: unknown).
        var gatewayBytesWritten: Int? = nil
    }

    func run() async throws -> Result {
        let runID = UInt32.random(in: 0...UInt32.max)
        let sink = BenchSink(markerPrefix: "TANDEM-LAT-\(runID)-")
        return try await sink.withRunning { url in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-latency-\(runID)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try self.startGateway(partnerURL: url, directory: directory)
            let serverGuard = ChildProcessGuard(server.process) { try? FileManager.default.removeItem(at: directory) }
            defer {
                serverGuard.release()
                if server.process.stop() {
                    print("warning: tandem serve did not stop within 10 s of SIGTERM and was killed")
                }
            }
            try server.waitUntilReady()
            var result = try await self.offerLoad(base: server.base, runID: runID, sink: sink)
            result.gatewayBytesWritten = ProcessIO.bytesWritten(by: server.pid)
            return result
        }
    }

    private func startGateway(partnerURL: URL, directory: URL) throws -> ServeProcess {
        var configuration: [String: Any] = [
            "senders": [ServeProcess.demoSender],
            "partners": [
                [
                    "id": "bench", "endpoint": partnerURL.absoluteString, "serviceLines": ["ophthalmology.cataract"],
                    "hmacSecret": BenchSink.secret, "timeout": "10s",
                ]
            ],
        ]
        if let delivery = self.delivery {
            guard let object = try? JSONSerialization.jsonObject(with: Data(delivery.utf8)) else {
                throw BenchmarkFailure("--gateway-delivery is not JSON: \(delivery)")
            }
            configuration["delivery"] = object
        }
        return try ServeProcess.start(
            executable: self.executable,
            configuration: configuration,
            mappings: self.mappings,
            directory: directory
        )
    }

    private func offerLoad(base: String, runID: UInt32, sink: BenchSink) async throws -> Result {
        let total = self.rate * self.seconds
        let headers = [
            "Authorization: Bearer \(ServeProcess.demoToken)", "Content-Type: application/fhir+json",
            "Prefer: return=minimal",
        ]
        func request(_ marker: String, patient: Int) -> RawCurlClient.Request {
            RawCurlClient.Request(
                url: base + "/fhir/ServiceRequest",
                headers: headers,
                body: DeliveryBenchFixture.serviceRequest(marker: marker, patient: "LAT-\(runID)-P\(patient)")
            )
        }
        let senders = 64
        let pool = NIOThreadPool(numberOfThreads: senders)
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        let clients = ClientPool()
        // Warm-up, not measured: connections opened, first episodes created, code paths paged in.
        for index in 0..<50 {
            _ = try await clients.post(request("TANDEM-WARM-\(runID)-\(index)", patient: index), on: pool)
        }
        let log = LoadLog()
        let interval = Duration.seconds(1) / self.rate
        let start = ContinuousClock.now + .milliseconds(100)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<total {
                let due = start + interval * index
                try? await Task.sleep(until: due, clock: .continuous)
                let posting = request("TANDEM-LAT-\(runID)-\(index)", patient: index % self.patients)
                group.addTask {
                    log.started(late: ContinuousClock.now - due)
                    guard let status = try? await clients.post(posting, on: pool), (200..<300).contains(status) else {
                        return
                    }
                    log.acknowledged(index, at: ContinuousClock.now)
                }
            }
            await group.waitForAll()
        }
        // Let the last notifications arrive: until nothing new came for 2 s, at most 30 s.
        var seen = -1
        let deadline = ContinuousClock.now + .seconds(30)
        while sink.snapshot.delivered != seen, ContinuousClock.now < deadline {
            seen = sink.snapshot.delivered
            try? await Task.sleep(for: .seconds(2))
        }
        let tally = sink.snapshot
        let acks = log.acknowledgements
        var toLast: [Double] = []
        var toFirst: [Double] = []
        var lost = 0
        for index in acks.keys {
            let due = start + interval * index
            guard let receipts = tally.receipts[index], let first = receipts.min(), let last = receipts.max() else {
                lost += 1
                continue
            }
            toFirst.append((first - due).milliseconds)
            toLast.append((last - due).milliseconds)
        }
        return Result(
            offered: total,
            acknowledged: acks.count,
            lost: lost,
            deliveries: tally.delivered,
            duplicates: tally.duplicates,
            outOfOrder: tally.outOfOrder,
            toLast: toLast.sorted(),
            toFirst: toFirst.sorted(),
            toAcknowledgement: acks.map { index, at in (at - (start + interval * index)).milliseconds }.sorted(),
            worstSendLag: log.worstLateness.milliseconds
        )
    }
}

/// What the open loop saw: when each message was acknowledged, and how late the sends started at worst.
final class LoadLog: Sendable {
    private struct State {
        var acknowledged: [Int: ContinuousClock.Instant] = [:]
        var worstLateness = Duration.zero
    }

    private let state = Mutex(State())

    func started(late: Duration) { self.state.withLock { $0.worstLateness = max($0.worstLateness, late) } }
    func acknowledged(_ index: Int, at: ContinuousClock.Instant) { self.state.withLock { $0.acknowledged[index] = at } }
    var acknowledgements: [Int: ContinuousClock.Instant] { self.state.withLock { $0.acknowledged } }
    var worstLateness: Duration { self.state.withLock { $0.worstLateness } }
}

/// Idle ``RawCurlClient``s for the probe's senders: each POST checks one out for its thread and back in.
final class ClientPool: Sendable {
    private let idle = Mutex<[RawCurlClient]>([])

    /// Sends on a thread of `pool`; the HTTP status, or nil when there was no answer.
    func post(_ request: RawCurlClient.Request, on pool: NIOThreadPool) async throws -> Int? {
        let client = self.idle.withLock { $0.popLast() } ?? RawCurlClient()
        guard let client else { return nil }
        let status = try await pool.runIfActive { client.post(request) }
        self.idle.withLock { $0.append(client) }
        return status
    }
}

extension Duration {
    var milliseconds: Double { self.seconds * 1000 }
}
