import Delivery
import Foundation
import Hummingbird
import Logging
import NIOCore
import Sink
import Synchronization

/// `tandem sink` inside the benchmark's process: the same ``SinkState`` (signature check, ledger of gaps
/// and duplicates) without the line per arrival, which would measure the terminal rather than the forwarder.
///
/// It counts what arrives and, for the latency probe, notes when each message's notifications arrived: a
/// message is recognised by a marker (`PREFIX` + its number) the probe wrote into the posted resource,
/// which the notification carries in full.
final class BenchSink: Sendable {
    /// The partner's HMAC secret; every benchmark request is signed and checked.
    static let secret = "tandem-bench-secret"

    struct Tally: Sendable {
        /// Verified deliveries with a delivery id not seen before.
        var delivered = 0
        var duplicates = 0
        /// Arrivals the ledger found out of order (a gap, or a late one filling it).
        var outOfOrder = 0
        var refused = 0
        /// Per marked message, the arrival time of each of its notifications.
        var receipts: [Int: [ContinuousClock.Instant]] = [:]
    }

    private let markerPrefix: [UInt8]
    private let tally = Mutex(Tally())

    /// - Parameter markerPrefix: what precedes a message number in a posted resource ("" for none).
    init(markerPrefix: String = "") {
        self.markerPrefix = Array(markerPrefix.utf8)
    }

    var snapshot: Tally { self.tally.withLock { $0 } }

    /// Runs the sink on a free 127.0.0.1 port while `body` runs with its URL, then stops it.
    func withRunning<Value: Sendable>(_ body: @Sendable (URL) async throws -> Value) async throws -> Value {
        let state = SinkState(
            PartnerSink(verifier: SignatureVerifier(secret: Self.secret, tolerance: .seconds(300))),
            report: { _ in },
            observe: { arrival, receipt in self.record(arrival, receipt) }
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "tandem.bench.sink")
        // Stopping the server by cancellation logs an error per open connection; nothing to report.
        logger.logLevel = .critical
        let app = Application(
            router: state.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "tandem-bench-sink"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var port = 0
            for await announced in ports { port = announced }
            defer { group.cancelAll() }
            return try await body(URL(string: "http://127.0.0.1:\(port)/notify")!)
        }
    }

    /// Waits until `count` distinct deliveries arrived, polling every millisecond; false after `timeout`.
    func waitForDeliveries(_ count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while self.tally.withLock({ $0.delivered }) < count {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    private func record(_ arrival: PartnerSink.Arrival, _ receipt: PartnerSink.Receipt) {
        let now = ContinuousClock.now
        let marker = self.markerPrefix.isEmpty ? nil : Self.number(after: self.markerPrefix, in: arrival.body)
        self.tally.withLock { tally in
            switch receipt.verdict {
            case nil: tally.refused += 1
            case .duplicate?: tally.duplicates += 1
            case .inOrder?, .redelivered?, .ahead?, .filled?: tally.delivered += 1
            case .late?:
                tally.delivered += 1
                tally.outOfOrder += 1
            }
            if let marker, receipt.verdict != .duplicate, receipt.verdict != nil {
                tally.receipts[marker, default: []].append(now)
            }
        }
    }

    /// The decimal number right after the first occurrence of `prefix` in `body`.
    static func number(after prefix: [UInt8], in body: [UInt8]) -> Int? {
        guard body.count >= prefix.count, let first = prefix.first else { return nil }
        var index = 0
        while index <= body.count - prefix.count {
            if body[index] == first, body[index..<(index + prefix.count)].elementsEqual(prefix) {
                var value = 0
                var digits = 0
                var cursor = index + prefix.count
                while cursor < body.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(body[cursor]) {
                    value = value * 10 + Int(body[cursor] - UInt8(ascii: "0"))
                    digits += 1
                    cursor += 1
                }
                return digits > 0 ? value : nil
            }
            index += 1
        }
        return nil
    }
}
