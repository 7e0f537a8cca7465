public import Logging
public import ServiceLifecycle
import Store

/// The long-running delivery Service: claims due outbox rows and attempts them, at most
/// ``Configuration/concurrency`` streams at a time, until graceful shutdown.
///
/// It claims ahead: up to three times ``Configuration/concurrency`` streams wait claimed for a slot, and one
/// claim runs beside the requests, so a claim's latency (with SQLite, a group commit of the one writer and
/// a turn on the cooperative pool) is hidden behind the requests in flight instead
/// of leaving slots idle while it waits. A slow or dead partner occupies only the slots of its own
/// in-flight requests and never holds up other partners or episodes. The decisions of when to claim live
/// in ``Loop``.
///
/// Order within a (partner, episode): the ``DeliveryQueue`` never hands out a stream that has a row
/// leased, and hands out each stream's rows as one ``Run`` (its head, and up to ``Configuration/run``
/// rows in all). A slot sends a run's rows one after the other, each only once the one before was
/// delivered; at the first row not delivered it stops, and the rest is given back.
///
/// A slot is held for the requests only. A run's outcomes are recorded beside the next requests, one
/// recording at a time, each of every run finished since the last one started (and no claim while
/// ``Configuration/concurrency`` runs wait to be recorded): recording is a store transaction that waits
/// for a durable commit, and holding the slot through it made the commit latency, not the partners, the
/// limit. The rows stay leased until their outcomes are recorded, so their own stream waits for that;
/// others do not. A crash before then re-sends them, in order, under the same delivery ids.
///
/// Where replicas share a store, a ``ForwarderSeat`` decides whether this one claims: one replica's
/// forwarder at a time does, and the others pass their doorbell's rings on to it.
///
/// On graceful shutdown it stops claiming, attempts the rows it has claimed, and lets every attempt finish
/// and be recorded; rows claimed but not completed (a crash) come back when their lease expires.
public struct Forwarder: Service {
    public struct Configuration: Sendable, Hashable {
        /// Attempts in flight at once (each one transfer on the transport); three times as many streams
        /// may wait claimed for a slot. With SQLite every claim and every recorded outcome waits behind the
        /// ingest groups of the one writer, so claiming few rows at a time makes claims, not partners, the
        /// limit under load (docs/performance.md, "Outbox and delivery").
        public var concurrency: Int
        /// The least room (free slots plus free places among the rows claimed ahead) worth a claim: each
        /// claim is a store transaction, so under load the forwarder leases several rows at once instead
        /// of one per finished attempt. After a poll or the doorbell any room is worth one. From 1 to
        /// ``concurrency``.
        public var claimBatch: Int
        /// How long to wait before claiming again when nothing was due and no ``DeliveryDoorbell`` rang.
        public var pollInterval: Duration
        /// How long a claimed row stays leased; longer than any partner's timeout. A run's next row is sent
        /// only while a request with the partner's whole timeout still ends inside the lease.
        public var lease: Duration
        /// The most rows of one stream claimed together and sent one after the other (1: heads only).
        /// Each new referral, for one, gives an episode two events; with runs the second goes out one
        /// round trip after the first instead of after two more store commits (recording the first,
        /// claiming the second).
        public var run: Int

        public init(
            concurrency: Int = 64,
            claimBatch: Int = 16,
            pollInterval: Duration = .milliseconds(100),
            lease: Duration = .seconds(120),
            run: Int = 8
        ) {
            // Configuration data: clamped, not trapped on.
            self.concurrency = max(1, concurrency)
            self.claimBatch = min(max(1, claimBatch), self.concurrency)
            self.pollInterval = pollInterval
            self.lease = lease
            self.run = max(1, run)
        }
    }

    private enum Completion: Sendable {
        /// A claim returned; `asked` is the limit it was made with.
        case claimed([Run], asked: Int)
        /// A run's requests finished (its slot is free); its outcomes still have to be recorded.
        case attempted(Run.Result)
        /// The outcomes of `runs` runs were recorded (or recording failed and the leases will bring the
        /// rows back).
        case recorded(runs: Int)
        case tick
    }

    let queue: any DeliveryQueue
    let driver: DeliveryDriver
    let directory: SubscriptionDirectory
    let configuration: Configuration
    let doorbell: DeliveryDoorbell?
    /// Where replicas share a store: claims only while this replica holds the seat.
    let seat: ForwarderSeat?
    let metrics: DeliveryMetrics?
    let logger: Logger

    /// - Parameters:
    ///   - directory: the subscriptions delivered to now; a row for one no longer configured or active is
    ///     dead-lettered.
    ///   - doorbell: rung when rows are planned, so an idle forwarder claims them before its next poll.
    ///   - seat: where replicas share a store, the seat this forwarder claims only while it holds; its
    ///     doorbell is the one the forwarder waits on, in place of `doorbell`. Nil: it always claims.
    ///   - metrics: where each attempt's outcome and latency are counted.
    public init(
        queue: any DeliveryQueue,
        driver: DeliveryDriver,
        directory: SubscriptionDirectory,
        configuration: Configuration = Configuration(),
        doorbell: DeliveryDoorbell? = nil,
        seat: ForwarderSeat? = nil,
        metrics: DeliveryMetrics? = nil,
        logger: Logger
    ) {
        self.queue = queue
        self.driver = driver
        self.directory = directory
        self.configuration = configuration
        self.doorbell = seat?.doorbell ?? doorbell
        self.seat = seat
        self.metrics = metrics
        self.logger = logger
    }

    /// A forwarder to the configuration's partners alone (tests and benchmarks).
    public init(
        queue: any DeliveryQueue,
        driver: DeliveryDriver,
        partners: [Partner],
        configuration: Configuration = Configuration(),
        doorbell: DeliveryDoorbell? = nil,
        logger: Logger
    ) {
        self.init(
            queue: queue,
            driver: driver,
            directory: SubscriptionDirectory(configured: partners, profiles: [], baseURL: ""),
            configuration: configuration,
            doorbell: doorbell,
            logger: logger
        )
    }

    public func run() async throws {
        var loop = Loop(configuration: self.configuration)
        await withTaskGroup(of: Completion.self) { group in
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                self.startAttempts(&loop, in: &group)
                if self.seat?.isHeld ?? true, let limit = loop.claimToStart() {
                    group.addTask { .claimed(await self.claim(limit: limit), asked: limit) }
                }
                if loop.startTick() {
                    // Wake on the doorbell or the poll interval, whichever comes first. Without the seat, a
                    // ring (deliveries planned here) is passed on to the replica that holds it.
                    let interval = self.configuration.pollInterval
                    let doorbell = self.doorbell
                    let seat = self.seat
                    group.addTask {
                        try? await cancelWhenGracefulShutdown {
                            if let doorbell {
                                let rang = await doorbell.wait(atMost: interval)
                                if rang, let seat, !seat.isHeld { await seat.announce() }
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

    /// Books one finished task, then starts recording what finished runs wait to be recorded, if no
    /// recording is under way.
    private func handle(_ completion: Completion, _ loop: inout Loop, in group: inout TaskGroup<Completion>) {
        switch completion {
        case .claimed(let rows, let asked): loop.claimed(rows, asked: asked)
        case .attempted(let result): loop.attempted(result)
        case .recorded(let runs): loop.recorded(runs: runs)
        case .tick: loop.ticked()
        }
        if let (result, runs) = loop.recordingToStart() {
            group.addTask {
                await self.record(result)
                return .recorded(runs: runs)
            }
        }
    }

    /// Starts claimed runs while slots are free.
    private func startAttempts(_ loop: inout Loop, in group: inout TaskGroup<Completion>) {
        while let run = loop.nextAttempt() {
            group.addTask { .attempted(await self.attempt(run)) }
        }
    }

    private func claim(limit: Int) async -> [Run] {
        let now = self.driver.now()
        let lease = self.configuration.lease
        do {
            let rows = try await self.queue.claimDue(limit: limit, run: self.configuration.run, now: now, lease: lease)
            return Run.runs(of: rows, claimedAt: now, lease: lease)
        } catch {
            self.logger.error("claiming due deliveries failed", metadata: ["tandem.error": "\(error)"])
            return []
        }
    }

    /// Sends a run's rows in order while each is delivered; the rest is given back when the run is
    /// recorded. Every row of a run has the run's partner.
    private func attempt(_ run: Run) async -> Run.Result {
        let partner = run.rows.first.flatMap { self.directory.partner($0.entry.delivery.partnerID) }
        var result = Run.Result()
        for (index, row) in run.rows.enumerated() {
            if let previous = result.outcomes.last?.outcome {
                guard run.mayContinue(after: previous, timeout: partner?.timeout ?? .zero, now: self.driver.now())
                else {
                    result.unattempted = Array(run.rows[index...])
                    break
                }
            }
            let outcome = await self.attempt(row, partner: partner)
            self.metrics?.record(outcome, subscription: row.entry.delivery.partnerID, partner: partner?.account)
            result.outcomes.append((row, outcome))
        }
        return result
    }

    /// Sends one claimed row (or decides without sending) and returns the outcome to record; a row whose
    /// episode is no longer stored, or whose partner is no longer configured, is dead-lettered.
    private func attempt(_ row: ClaimedDelivery, partner: Partner?) async -> DeliveryOutcome {
        guard let parties = row.parties else {
            return DeliveryOutcome(action: .deadLetter(.episodeNotStored), attempt: nil, refusal: nil)
        }
        guard let partner else {
            return DeliveryOutcome(action: .deadLetter(.partnerNotConfigured), attempt: nil, refusal: nil)
        }
        return await self.driver.attempt(row.entry, partner: partner, parties: parties)
    }

    /// Records the outcomes of finished runs in the queue (the store), each guarded by its row's lease, in
    /// order (so the store's delivered rows of a stream are always its first ones), then gives back their
    /// unattempted rows: one store write with SQLite, beside the requests in flight.
    private func record(_ result: Run.Result) async {
        if self.logger.logLevel <= .debug {
            for (row, outcome) in result.outcomes {
                let delivery = row.entry.delivery
                var logger = self.logger
                logger[metadataKey: "tandem.delivery"] = "\(delivery.id)"
                logger[metadataKey: "tandem.partner"] = "\(delivery.partnerID)"
                logger[metadataKey: "tandem.episode"] = "\(delivery.episodeID)"
                logger.debug("delivery attempt", metadata: ["tandem.action": "\(outcome.action)"])
            }
        }
        do {
            try await self.queue.record(result.outcomes, releasing: result.unattempted)
        } catch {
            // The leases will expire and the rows be attempted again: at least once, same delivery ids.
            self.logger.error(
                "recording delivery outcomes failed",
                metadata: ["tandem.error": "\(error)", "tandem.deliveries": "\(result.outcomes.count)"]
            )
        }
    }
}
