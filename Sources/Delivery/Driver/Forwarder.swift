public import Logging
public import ServiceLifecycle

/// The long-running delivery Service: claims due outbox rows and attempts them, at most
/// ``Configuration/concurrency`` at a time, until graceful shutdown.
///
/// It claims again whenever a slot frees up or the poll interval passes, never waiting for a whole batch,
/// so a slow or dead partner occupies only the slots of its own in-flight requests and never holds up other
/// partners or episodes. Order within a (partner, episode) is the ``DeliveryQueue``'s contract.
///
/// On graceful shutdown it stops claiming and lets the attempts in flight finish and be recorded; rows
/// claimed but not completed (a crash) come back when their lease expires.
public struct Forwarder: Service {
    public struct Configuration: Sendable {
        /// Attempts in flight at once (each holds one transport thread).
        public var concurrency: Int
        /// How long to wait before claiming again when nothing was due.
        public var pollInterval: Duration
        /// How long a claimed row stays leased; longer than any partner's timeout.
        public var lease: Duration

        public init(concurrency: Int = 16, pollInterval: Duration = .milliseconds(100), lease: Duration = .seconds(120))
        {
            self.concurrency = max(1, concurrency)  // configuration data: clamped, not trapped on
            self.pollInterval = pollInterval
            self.lease = lease
        }
    }

    private enum Completion: Sendable {
        case attempt
        case tick
    }

    let queue: any DeliveryQueue
    let driver: DeliveryDriver
    let partners: [String: Partner]
    let configuration: Configuration
    let logger: Logger

    /// - Parameter partners: the configured partners; a row for a partner no longer configured is dead-lettered.
    public init(
        queue: any DeliveryQueue,
        driver: DeliveryDriver,
        partners: [Partner],
        configuration: Configuration = Configuration(),
        logger: Logger
    ) {
        self.queue = queue
        self.driver = driver
        self.partners = Dictionary(partners.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Completion.self) { group in
            var inFlight = 0
            var ticking = false
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                var claimed: [ClaimedDelivery] = []
                if inFlight < self.configuration.concurrency {
                    claimed = await self.claim(limit: self.configuration.concurrency - inFlight)
                    for row in claimed {
                        inFlight += 1
                        group.addTask {
                            await self.deliver(row)
                            return .attempt
                        }
                    }
                }
                if claimed.isEmpty || inFlight == self.configuration.concurrency {
                    // Wake on whichever comes first: a slot freeing up or the poll interval.
                    if !ticking {
                        ticking = true
                        let interval = self.configuration.pollInterval
                        group.addTask {
                            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                            return .tick
                        }
                    }
                    switch await group.next() {
                    case .attempt: inFlight -= 1
                    case .tick: ticking = false
                    case nil: break
                    }
                }
            }
            // Graceful shutdown: the attempts in flight finish and are recorded.
            await group.waitForAll()
        }
    }

    private func claim(limit: Int) async -> [ClaimedDelivery] {
        do {
            return try await self.queue.claimDue(limit: limit, now: self.driver.now(), lease: self.configuration.lease)
        } catch {
            self.logger.error("claiming due deliveries failed", metadata: ["tandem.error": "\(error)"])
            return []
        }
    }

    private func deliver(_ row: ClaimedDelivery) async {
        let delivery = row.entry.delivery
        let outcome: DeliveryOutcome
        if let partner = self.partners[delivery.partnerID] {
            outcome = await self.driver.attempt(row.entry, partner: partner, episode: row.episode, body: row.body)
        } else {
            outcome = DeliveryOutcome(action: .deadLetter(.partnerNotConfigured), attempt: nil, refusal: nil)
        }
        var logger = self.logger
        logger[metadataKey: "tandem.delivery"] = "\(delivery.id)"
        logger[metadataKey: "tandem.partner"] = "\(delivery.partnerID)"
        logger[metadataKey: "tandem.episode"] = "\(delivery.episodeID)"
        logger.debug("delivery attempt", metadata: ["tandem.action": "\(outcome.action)"])
        do {
            try await self.queue.complete(row, outcome: outcome)
        } catch {
            // The lease will expire and the row be attempted again: at least once, same delivery id.
            logger.error("recording a delivery outcome failed", metadata: ["tandem.error": "\(error)"])
        }
    }
}
