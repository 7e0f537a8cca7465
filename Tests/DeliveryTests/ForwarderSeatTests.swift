import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing

@testable import Delivery

/// A forwarder with a ``ForwarderSeat`` claims only while its replica holds the seat; until then it passes
/// each ring of its doorbell on as an announcement, and once elected it claims at once.
@Suite struct ForwarderSeatTests {
    /// An election the test decides: it elects or deposes when told, and counts announcements.
    final class ScriptedElection: ForwarderElection {
        private let listener = Mutex<(@Sendable (ForwarderElectionEvent) -> Void)?>(nil)
        let announcements = Atomic<Int>(0)

        func campaign(every interval: Duration, _ events: @escaping @Sendable (ForwarderElectionEvent) -> Void) async {
            self.listener.withLock { $0 = events }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        }

        func announcePlanned() async throws(StoreError) {
            self.announcements.add(1, ordering: .sequentiallyConsistent)
        }

        /// Tells the campaign `event`; false while no campaign runs yet.
        func tell(_ event: ForwarderElectionEvent) -> Bool {
            guard let listener = self.listener.withLock({ $0 }) else { return false }
            listener(event)
            return true
        }

        var announced: Int { self.announcements.load(ordering: .sequentiallyConsistent) }
    }

    @Test func claimsOnlyWhileTheSeatIsHeldAndPassesRingsOnUntilThen() async throws {
        let queue = InMemoryDeliveryQueue(ForwarderTests.rows(partner: "a", episode: "e1", count: 2))
        let election = ScriptedElection()
        let doorbell = DeliveryDoorbell()
        let seat = ForwarderSeat(
            election: election,
            doorbell: doorbell,
            announcementSpacing: .milliseconds(1),
            logger: Logger(label: "tandem.tests.seat")
        )
        // A poll of 5 ms: a forwarder that claimed without the seat would have claimed many times over.
        let forwarder = Forwarder(
            queue: queue,
            driver: DeliveryDriver(transport: ForwarderTests.PartnerTransport(), consentDefaultPermit: true),
            directory: SubscriptionDirectory(configured: [ForwarderTests().partner("a")], profiles: [], baseURL: ""),
            configuration: .init(concurrency: 2, pollInterval: .milliseconds(5)),
            seat: seat,
            logger: Logger(label: "tandem.tests.forwarder")
        )
        let group = ServiceGroup(services: [seat, forwarder], logger: Logger(label: "tandem.tests.group"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }

            // Rows planned here while another replica holds the seat: announced, not claimed.
            doorbell.ring()
            try await Self.wait { election.announced >= 1 }
            doorbell.ring()
            try await Self.wait { election.announced >= 2 }
            try await Task.sleep(for: .milliseconds(100))
            #expect(await queue.claimLimits.isEmpty)
            #expect(!seat.isHeld)

            // Elected: it claims at once, without waiting for another ring.
            try await Self.wait { election.tell(.elected) }
            try await Self.wait { await queue.deliveredOrder.count == 2 }
            #expect(await queue.deliveredOrder == ["a-e1-1", "a-e1-2"])
            #expect(seat.isHeld)

            // Deposed: no more claims; rings are announced again.
            #expect(election.tell(.deposed))
            try await Task.sleep(for: .milliseconds(50))  // a claim started before it ends
            let claims = await queue.claimLimits.count
            let announced = election.announced
            doorbell.ring()
            try await Self.wait { election.announced > announced }
            try await Task.sleep(for: .milliseconds(100))
            #expect(await queue.claimLimits.count == claims)

            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
    }

    /// Waits until `condition` holds, at most ten seconds.
    static func wait(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !(await condition()), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }
}
