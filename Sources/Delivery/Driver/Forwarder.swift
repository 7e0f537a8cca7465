public import Logging
public import ServiceLifecycle

/// The long-running delivery Service: claims due outbox rows and attempts them, at most
/// ``Configuration/concurrency`` at a time, until graceful shutdown.
///
/// It claims ahead: up to ``Configuration/concurrency`` rows wait claimed for a slot, and one claim runs
/// beside the requests, so a claim's commit latency (with SQLite, a group commit of the one writer) is
/// hidden behind the requests in flight instead of leaving slots idle while it waits. A slow or dead
/// partner occupies only the slots of its own in-flight requests and never holds up other partners or
/// episodes. Order within a (partner, episode) is the ``DeliveryQueue``'s contract: a stream never has
/// two rows claimed. The decisions of when to claim live in ``Loop``.
///
/// A slot is held for the request only. Its outcome is recorded beside the next requests (at most
/// ``Configuration/concurrency`` recordings outstanding): recording is a store transaction that waits for a
/// durable commit, and holding the slot through it made the commit latency, not the partners, the limit.
/// The row stays leased until its outcome is recorded, so its own stream waits for that; others do not.
///
/// On graceful shutdown it stops claiming, attempts the rows it has claimed, and lets every attempt finish
/// and be recorded; rows claimed but not completed (a crash) come back when their lease expires.
public struct Forwarder: Service {
    public struct Configuration: Sendable, Hashable {
        /// Attempts in flight at once (each holds one transport thread); as many rows again may wait
        /// claimed for a slot. With SQLite every claim and every recorded outcome waits behind the ingest
        /// groups of the one writer, so claiming few rows at a time made claims, not partners, the limit
        /// under load (`tandem bench delivery` at 500 messages/s: p50 ingest-to-last-notification about
        /// 3 s with 16 and 4, about 80 ms with 64 and 16).
        public var concurrency: Int
        /// The least room (free slots plus free places among the rows claimed ahead) worth a claim: each
        /// claim is a store transaction, so under load the forwarder leases several rows at once instead
        /// of one per finished attempt. After a poll or the doorbell any room is worth one. From 1 to
        /// ``concurrency``.
        public var claimBatch: Int
        /// How long to wait before claiming again when nothing was due and no ``DeliveryDoorbell`` rang.
        public var pollInterval: Duration
        /// How long a claimed row stays leased; longer than any partner's timeout.
        public var lease: Duration

        public init(
            concurrency: Int = 64,
            claimBatch: Int = 16,
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
        /// A claim returned; `asked` is the limit it was made with.
        case claimed([ClaimedDelivery], asked: Int)
        /// A request finished (its slot is free); its outcome still has to be recorded.
        case attempted(ClaimedDelivery, DeliveryOutcome)
        /// An outcome was recorded (or recording failed and the lease will bring the row back).
        case recorded
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
        var loop = Loop(configuration: self.configuration)
        await withTaskGroup(of: Completion.self) { group in
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                self.startAttempts(&loop, in: &group)
                if let limit = loop.claimToStart() {
                    group.addTask { .claimed(await self.claim(limit: limit), asked: limit) }
                }
                if loop.startTick() {
                    // Wake on the doorbell or the poll interval, whichever comes first.
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
                guard let completion = await group.next() else { break }
                self.handle(completion, &loop, in: &group)
            }
            // Graceful shutdown: no new claims; rows already claimed are attempted, and every attempt
            // finishes and is recorded.
            self.startAttempts(&loop, in: &group)
            while let completion = await group.next() {
                self.handle(completion, &loop, in: &group)
                self.startAttempts(&loop, in: &group)
            }
        }
    }

    /// Books one finished task; a finished request's outcome starts being recorded.
    private func handle(_ completion: Completion, _ loop: inout Loop, in group: inout TaskGroup<Completion>) {
        switch completion {
        case .claimed(let rows, let asked): loop.claimed(rows, asked: asked)
        case .attempted(let row, let outcome):
            loop.attempted()
            self.startRecording(row, outcome, in: &group)
        case .recorded: loop.recorded()
        case .tick: loop.ticked()
        }
    }

    /// Starts claimed rows while slots are free.
    private func startAttempts(_ loop: inout Loop, in group: inout TaskGroup<Completion>) {
        while let row = loop.nextAttempt() {
            group.addTask { .attempted(row, await self.attempt(row)) }
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

    /// Sends one claimed row (or decides without sending) and returns the outcome to record.
    private func attempt(_ row: ClaimedDelivery) async -> DeliveryOutcome {
        let delivery = row.entry.delivery
        guard let partner = self.partners[delivery.partnerID] else {
            return DeliveryOutcome(action: .deadLetter(.partnerNotConfigured), attempt: nil, refusal: nil)
        }
        return await self.driver.attempt(row.entry, partner: partner, episode: row.episode, body: row.body)
    }

    /// Records an outcome beside the requests in flight; the group hears `.recorded` when it is done.
    private func startRecording(
        _ row: ClaimedDelivery,
        _ outcome: DeliveryOutcome,
        in group: inout TaskGroup<Completion>
    ) {
        group.addTask {
            await self.record(row, outcome)
            return .recorded
        }
    }

    /// Records an outcome in the queue (the store), guarded by the row's lease.
    private func record(_ row: ClaimedDelivery, _ outcome: DeliveryOutcome) async {
        let delivery = row.entry.delivery
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
