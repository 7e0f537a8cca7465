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
    public struct Configuration: Sendable, Hashable {
        /// Attempts in flight at once (each holds one transport thread).
        public var concurrency: Int
        /// The fewest free slots worth a claim while attempts are in flight: each claim is a store
        /// transaction, so under load the forwarder leases several rows at once instead of one per finished
        /// attempt. With nothing in flight it claims at once. From 1 to ``concurrency``.
        public var claimBatch: Int
        /// How long to wait before claiming again when nothing was due and no ``DeliveryDoorbell`` rang.
        public var pollInterval: Duration
        /// How long a claimed row stays leased; longer than any partner's timeout.
        public var lease: Duration

        public init(
            concurrency: Int = 16,
            claimBatch: Int = 4,
            pollInterval: Duration = .milliseconds(100),
            lease: Duration = .seconds(120)
        ) {
            // Configuration data: clamped, not trapped on.
            self.concurrency = max(1, concurrency)
            self.claimBatch = min(max(1, claimBatch), self.concurrency)
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
    let doorbell: DeliveryDoorbell?
    let logger: Logger

    /// - Parameters:
    ///   - partners: the configured partners; a row for a partner no longer configured is dead-lettered.
    ///   - doorbell: rung when rows are planned, so an idle forwarder claims them before its next poll.
    public init(
        queue: any DeliveryQueue,
        driver: DeliveryDriver,
        partners: [Partner],
        configuration: Configuration = Configuration(),
        doorbell: DeliveryDoorbell? = nil,
        logger: Logger
    ) {
        self.queue = queue
        self.driver = driver
        self.partners = Dictionary(partners.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuration = configuration
        self.doorbell = doorbell
        self.logger = logger
    }

    public func run() async throws {
        let concurrency = self.configuration.concurrency
        await withTaskGroup(of: Completion.self) { group in
            var inFlight = 0
            var ticking = false
            // After a poll or a ring any free slot is worth a claim, so slots held by a slow partner's
            // attempts never keep other partners waiting for a whole batch to free up.
            var woken = true
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let free = concurrency - inFlight
                var exhausted = true
                if free >= self.configuration.claimBatch || (free > 0 && woken) {
                    woken = false
                    let claimed = await self.claim(limit: free)
                    for row in claimed {
                        inFlight += 1
                        group.addTask {
                            await self.deliver(row)
                            return .attempt
                        }
                    }
                    // Fewer rows than asked for: nothing else is due now, so claiming again at once is waste.
                    exhausted = claimed.count < free
                }
                if exhausted || concurrency - inFlight < self.configuration.claimBatch {
                    // Wake on whichever comes first: a slot freeing up, the doorbell or the poll interval.
                    if !ticking {
                        ticking = true
                        let interval = self.configuration.pollInterval
                        let doorbell = self.doorbell
                        group.addTask {
                            try? await cancelWhenGracefulShutdown {
                                if let doorbell {
                                    await doorbell.wait(atMost: interval)
                                } else {
                                    try await Task.sleep(for: interval)
                                }
                            }
                            return .tick
                        }
                    }
                    switch await group.next() {
                    case .attempt: inFlight -= 1
                    case .tick:
                        ticking = false
                        woken = true
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
