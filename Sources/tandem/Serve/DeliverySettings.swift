import Delivery
import Foundation

/// The forwarder's settings: the `delivery` object of the configuration file.
///
/// ```json
/// "delivery": {"concurrency": 64, "claimBatch": 16, "run": 8, "pollInterval": "100ms", "lease": "2m",
///              "idleConnectionsPerPartner": 64, "transferThreads": 2, "forwarding": "elected"}
/// ```
/// Every key is optional; a missing one keeps the default of ``Forwarder/Configuration`` (and 64 idle
/// connections per partner, so a partner busy at full concurrency keeps every connection warm).
struct DeliverySettings: Sendable, Equatable {
    /// Which replicas' forwarders claim, where replicas share a PostgreSQL store (one process owns a
    /// SQLite store, and its forwarder always claims).
    enum Forwarding: String, Sendable, Equatable {
        /// One replica at a time, elected through the store (``ForwarderSeat``); the others pass on what
        /// they plan.
        case elected
        /// Every replica, each claiming on its own.
        case everyReplica = "every-replica"
    }

    var forwarder = Forwarder.Configuration()
    var forwarding = Forwarding.elected
    /// Open connections kept per partner between requests, in its transfer thread's connection cache
    /// (``CurlTransport``); 0 closes each connection after its request.
    var idleConnectionsPerPartner = 64
    /// Threads running the transfers, each driving a libcurl multi handle; a partner's requests all run on
    /// one of them (what one thread carries: docs/performance.md, "Outbox and delivery").
    var transferThreads = 2

    /// The keys the `delivery` object may hold; any other is refused, as at the top level.
    static let knownKeys: Set<String> = [
        "concurrency", "claimBatch", "run", "pollInterval", "lease", "idleConnectionsPerPartner", "transferThreads",
        "forwarding",
    ]

    /// The `delivery` object as written.
    struct File: Decodable {
        var concurrency: Int?
        var claimBatch: Int?
        var run: Int?
        var pollInterval: FriendlyDuration?
        var lease: FriendlyDuration?
        var idleConnectionsPerPartner: Int?
        var transferThreads: Int?
        var forwarding: String?
    }

    /// The settings a file asks for, checked against what the forwarder can run with.
    /// - Throws: ``ConfigurationError`` naming the `delivery.…` key at fault.
    init(_ file: File) throws {
        let defaults = Forwarder.Configuration()
        let concurrency = file.concurrency ?? defaults.concurrency
        guard (1...1024).contains(concurrency) else {
            throw ConfigurationError("delivery.concurrency must be 1 to 1024, not \(concurrency)")
        }
        let claimBatch = file.claimBatch ?? min(defaults.claimBatch, concurrency)
        guard (1...concurrency).contains(claimBatch) else {
            throw ConfigurationError("delivery.claimBatch must be 1 to delivery.concurrency (\(concurrency))")
        }
        let run = file.run ?? defaults.run
        guard (1...256).contains(run) else {
            throw ConfigurationError("delivery.run must be 1 to 256, not \(run)")
        }
        let pollInterval = file.pollInterval?.duration ?? defaults.pollInterval
        guard pollInterval >= .milliseconds(1) else {
            throw ConfigurationError("delivery.pollInterval must be at least 1ms")
        }
        let lease = file.lease?.duration ?? defaults.lease
        let idle = file.idleConnectionsPerPartner ?? Self().idleConnectionsPerPartner
        guard (0...1024).contains(idle) else {
            throw ConfigurationError("delivery.idleConnectionsPerPartner must be 0 to 1024, not \(idle)")
        }
        self.forwarder = Forwarder.Configuration(
            concurrency: concurrency,
            claimBatch: claimBatch,
            pollInterval: pollInterval,
            lease: lease,
            run: run
        )
        let threads = file.transferThreads ?? Self().transferThreads
        guard (1...64).contains(threads) else {
            throw ConfigurationError("delivery.transferThreads must be 1 to 64, not \(threads)")
        }
        self.idleConnectionsPerPartner = idle
        self.transferThreads = threads
        if let forwarding = file.forwarding {
            guard let known = Forwarding(rawValue: forwarding) else {
                throw ConfigurationError(
                    "delivery.forwarding must be \"elected\" or \"every-replica\", not \"\(forwarding)\""
                )
            }
            self.forwarding = known
        }
    }

    init() {}

    /// Refuses a lease a partner's timeout can outlast: a slow answer would let a second claim send the
    /// same row while the first attempt is still in flight.
    func check(partners: [Partner]) throws {
        let lease = self.forwarder.lease
        if let slowest = partners.max(by: { $0.timeout < $1.timeout }), lease <= slowest.timeout {
            throw ConfigurationError(
                "delivery.lease (\(lease)) must be longer than partner '\(slowest.id)' timeout (\(slowest.timeout))"
            )
        }
    }
}
