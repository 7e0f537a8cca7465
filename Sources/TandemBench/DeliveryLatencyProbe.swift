import Delivery
import Foundation
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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

    private static let token = "tandem-demo-token"

    func run() async throws -> Result {
        let runID = UInt32.random(in: 0...UInt32.max)
        let sink = BenchSink(markerPrefix: "TANDEM-LAT-\(runID)-")
        return try await sink.withRunning { url in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-latency-\(runID)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try self.startGateway(partnerURL: url, directory: directory)
            let serverGuard = ChildProcessGuard(server) { try? FileManager.default.removeItem(at: directory) }
            defer {
                serverGuard.release()
                if server.stop() { print("warning: tandem serve did not stop within 10 s of SIGTERM and was killed") }
            }
            let base = "http://127.0.0.1:\(try self.waitUntilReady(server, directory: directory))"
            var result = try await self.offerLoad(base: base, runID: runID, sink: sink)
            result.gatewayBytesWritten = ProcessIO.bytesWritten(by: server.processIdentifier)
            return result
        }
    }

    private func startGateway(partnerURL: URL, directory: URL) throws -> Process {
        var configuration: [String: Any] = [
            // The sender the probe posts as: the demo token's hash (`tandem token-hash tandem-demo-token`).
            "senders": [
                [
                    "name": "demo-hospital", "allowedTypes": ["*"],
                    "tokenHash": "66852691e07cfed096e183a14a1dc4496e166c46915ffb6b46f499226da33d6a",
                ]
            ],
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
        let config = directory.appendingPathComponent("tandem.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: config)
        let port = try Self.freePort()
        let process = Process()
        process.executableURL = self.executable
        process.arguments = ["serve", "--config", config.path]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["TANDEM_LISTEN"] = "127.0.0.1:\(port)"
        environment["TANDEM_STORE_URL"] = "sqlite:" + directory.appendingPathComponent("tandem.sqlite").path
        environment["TANDEM_MAPPINGS"] = URL(fileURLWithPath: self.mappings).standardizedFileURL.path
        environment["TANDEM_LOG_LEVEL"] = "warning"
        process.environment = environment
        let log = directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Polls `/health/ready` for up to 30 s; returns the port.
    private func waitUntilReady(_ server: Process, directory: URL) throws -> Int {
        let listen = server.environment?["TANDEM_LISTEN"] ?? ""
        let port = Int(listen.split(separator: ":").last ?? "") ?? 0
        guard let client = RawCurlClient() else { throw BenchmarkFailure("libcurl could not make a handle") }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard server.isRunning else {
                let log = (try? String(contentsOf: directory.appendingPathComponent("serve.log"), encoding: .utf8))
                throw BenchmarkFailure("tandem serve exited: \(log ?? "")")
            }
            if client.get("http://127.0.0.1:\(port)/health/ready") == 200 { return port }
            usleep(50_000)
        }
        throw BenchmarkFailure("tandem serve did not become ready within 30 s")
    }

    private func offerLoad(base: String, runID: UInt32, sink: BenchSink) async throws -> Result {
        let total = self.rate * self.seconds
        let headers = [
            "Authorization: Bearer \(Self.token)", "Content-Type: application/fhir+json", "Prefer: return=minimal",
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

    /// A port the kernel just handed out for 127.0.0.1 (bound to 0, read back, released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkFailure("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BenchmarkFailure("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
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
