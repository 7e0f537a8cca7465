public import Logging
public import ServiceLifecycle
public import Store
import Synchronization

/// Whether this replica's ``Forwarder`` claims the outbox, where replicas share a store: the seat is
/// held by one replica at a time, won through the store's ``Store/ForwarderElection``.
///
/// A Service: it campaigns until graceful shutdown. Held, the forwarder claims as a lone one does, and
/// announcements from other replicas ring its doorbell. Not held, the forwarder claims nothing: it
/// finishes the runs it has, and passes each ring of its doorbell (deliveries this replica planned) on
/// as an announcement, no more often than every ``announcementSpacing``. Elected, the forwarder claims at
/// once: another replica's rows may be waiting.
///
/// Without a seat (SQLite, one process; or `delivery.forwarding` "every-replica") every forwarder claims.
public final class ForwarderSeat: Service, Sendable {
    let election: any ForwarderElection
    /// How often a replica without the seat tries for it, and so how long the outbox may go unclaimed
    /// after the replica holding it stops.
    let interval: Duration
    /// The least time between two announcements from this replica: under load they would otherwise be one
    /// statement per message, and the forwarder holding the seat claims as often as it can anyway.
    let announcementSpacing: Duration
    let doorbell: DeliveryDoorbell
    let metrics: DeliveryMetrics?
    let logger: Logger
    private let held = Atomic<Bool>(false)

    public init(
        election: any ForwarderElection,
        doorbell: DeliveryDoorbell,
        interval: Duration = .seconds(1),
        announcementSpacing: Duration = .milliseconds(10),
        metrics: DeliveryMetrics? = nil,
        logger: Logger
    ) {
        self.election = election
        self.doorbell = doorbell
        self.interval = interval
        self.announcementSpacing = announcementSpacing
        self.metrics = metrics
        self.logger = logger
    }

    /// This replica's forwarder claims now.
    public var isHeld: Bool { self.held.load(ordering: .acquiring) }

    public func run() async throws {
        self.metrics?.recordForwarding(held: false)
        await cancelWhenGracefulShutdown {
            await self.election.campaign(every: self.interval) { event in self.heard(event) }
        }
    }

    private func heard(_ event: ForwarderElectionEvent) {
        switch event {
        case .elected:
            self.held.store(true, ordering: .releasing)
            self.metrics?.recordForwarding(held: true)
            self.logger.info("elected to forward: this replica claims the outbox")
            self.doorbell.ring()
        case .deposed:
            self.held.store(false, ordering: .releasing)
            self.metrics?.recordForwarding(held: false)
            self.logger.warning("no longer forwarding: another replica may claim the outbox")
        case .announced:
            self.doorbell.ring()
        }
    }

    /// Tells the replica holding the seat that this one planned deliveries, then waits out the spacing.
    func announce() async {
        do {
            try await self.election.announcePlanned()
        } catch {
            self.logger.warning("announcing planned deliveries failed", metadata: ["tandem.error": "\(error)"])
        }
        try? await Task.sleep(for: self.announcementSpacing)
    }
}
