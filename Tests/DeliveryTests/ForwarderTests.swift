import CoManagement
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing

@testable import Delivery

@Suite struct ForwarderTests {
    typealias F = Fixtures

    /// Holds the `slow` partner's answers until the test releases them, so "the others finished while it was
    /// still on the wire" does not depend on how fast a loaded machine runs the others.
    final class SlowRelease: Sendable {
        private let released = Mutex(false)

        func release() { self.released.withLock { $0 = true } }

        var isReleased: Bool { self.released.withLock { $0 } }
    }

    /// Answers by partner: `dead` refuses connections, `slow` takes five seconds (or, with a ``SlowRelease``,
    /// until released, at most a minute), everyone else gets 200.
    struct PartnerTransport: Transport {
        var slowRelease: SlowRelease? = nil

        func send(_ request: DeliveryRequest) async -> Result<DeliveryResponse, TransportError> {
            switch request.partnerID {
            case "dead": return .failure(TransportError(.connectionFailed, curlCode: 7, "refused"))
            case "slow":
                if let gate = self.slowRelease {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while !gate.isReleased, ContinuousClock.now < deadline {
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                } else {
                    try? await Task.sleep(for: .seconds(5))
                }
                return .success(DeliveryResponse(status: 200))
            default: return .success(DeliveryResponse(status: 200))
            }
        }
    }

    static func rows(partner: String, episode: String, count: Int) -> [ClaimedDelivery] {
        var episodeValue = F.episode()
        episodeValue.id = episode
        return (1...count).map { number in
            let delivery = PlannedDelivery(
                id: "\(partner)-\(episode)-\(number)",
                partnerID: partner,
                episodeID: episode,
                eventNumber: number,
                event: F.event(number, .referralUpdated),
                body: Array("{}".utf8)
            )
            return ClaimedDelivery(
                entry: OutboxEntry(delivery: delivery, createdAt: Date()),
                parties: episodeValue.parties,
                lease: OutboxLease(id: 0, token: "")
            )
        }
    }

    func partner(_ id: String) -> Partner {
        var partner = F.partner(id, represents: ["Organization/eyecare-1"])
        partner.retry = RetryPolicy(
            maximumAttempts: 1000,
            baseBackoff: .milliseconds(20),
            maximumBackoff: .milliseconds(20)
        )
        return partner
    }

    /// Runs the forwarder until `done` holds (or thirty seconds pass: generous, for a loaded machine; the
    /// tests end as soon as `done` holds), then shuts it down gracefully.
    func run(
        _ queue: InMemoryDeliveryQueue,
        partners: [Partner],
        concurrency: Int,
        configuration: Forwarder.Configuration? = nil,
        doorbell: DeliveryDoorbell? = nil,
        transport: PartnerTransport = PartnerTransport(),
        until done: @escaping @Sendable () async -> Bool
    ) async throws {
        let forwarder = Forwarder(
            queue: queue,
            driver: DeliveryDriver(transport: transport, consentDefaultPermit: true, jitter: .fixed(1)),
            partners: partners,
            configuration: configuration ?? .init(concurrency: concurrency, pollInterval: .milliseconds(5)),
            doorbell: doorbell,
            logger: Logger(label: "tandem.tests.forwarder")
        )
        let group = ServiceGroup(services: [forwarder], logger: Logger(label: "tandem.tests.group"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            while !(await done()), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func eventsOfAnEpisodeAreDeliveredInOrder() async throws {
        let queue = InMemoryDeliveryQueue(
            Self.rows(partner: "a", episode: "e1", count: 5) + Self.rows(partner: "a", episode: "e2", count: 5)
        )
        try await self.run(queue, partners: [self.partner("a")], concurrency: 4) {
            await queue.deliveredOrder.count == 10
        }
        let order = await queue.deliveredOrder
        #expect(order.filter { $0.hasPrefix("a-e1-") } == (1...5).map { "a-e1-\($0)" })
        #expect(order.filter { $0.hasPrefix("a-e2-") } == (1...5).map { "a-e2-\($0)" })
    }

    @Test func deadAndSlowPartnersDoNotHoldUpOthers() async throws {
        let queue = InMemoryDeliveryQueue(
            Self.rows(partner: "dead", episode: "e1", count: 3) + Self.rows(partner: "slow", episode: "e1", count: 1)
                + Self.rows(partner: "alive", episode: "e1", count: 20)
        )
        let slow = SlowRelease()
        try await self.run(
            queue,
            partners: ["dead", "slow", "alive"].map(self.partner),
            concurrency: 3,
            transport: PartnerTransport(slowRelease: slow)
        ) {
            let aliveDone = await queue.states(partner: "alive").allSatisfy { $0 == .delivered }
            if aliveDone { slow.release() }
            return aliveDone
        }
        #expect(await queue.states(partner: "alive").allSatisfy { $0 == .delivered })
        // All twenty in-order deliveries to `alive` finished while the slow partner's one request was still on
        // the wire (graceful shutdown then let it finish), and while the dead partner kept failing.
        let order = await queue.deliveredOrder
        #expect(order.count == 21)
        #expect(order.last == "slow-e1-1")
        #expect(await queue.states(partner: "dead") == [.pending, .pending, .pending])
        #expect(await queue.attempts(partner: "dead") >= 1)
    }

    @Test func rowForAnUnconfiguredPartnerIsDeadLettered() async throws {
        let queue = InMemoryDeliveryQueue(Self.rows(partner: "gone", episode: "e1", count: 2))
        try await self.run(queue, partners: [], concurrency: 2) {
            await !queue.states(partner: "gone").contains(.pending)
        }
        #expect(await queue.states(partner: "gone") == [.dead(.partnerNotConfigured), .dead(.partnerNotConfigured)])
    }

    @Test func gracefulShutdownLetsTheAttemptInFlightFinish() async throws {
        let queue = InMemoryDeliveryQueue(Self.rows(partner: "slow", episode: "e1", count: 1))
        try await self.run(queue, partners: [self.partner("slow")], concurrency: 1) {
            await queue.rows.first?.leasedUntil != nil
        }
        #expect(await queue.states(partner: "slow") == [.delivered])
    }

    @Test func doorbellWakesAnIdleForwarderLongBeforeItsPoll() async throws {
        let queue = InMemoryDeliveryQueue([])
        let doorbell = DeliveryDoorbell()
        let started = ContinuousClock.now
        // A poll of ten minutes: only the ring can explain a delivery within the test. Under a full parallel
        // test run the cooperative pool can starve this test for most of `run`'s thirty seconds, so the
        // bound is the poll, not a tight time.
        let slowPoll = Forwarder.Configuration(concurrency: 2, pollInterval: .seconds(600))
        try await self.run(
            queue,
            partners: [self.partner("a")],
            concurrency: 2,
            configuration: slowPoll,
            doorbell: doorbell
        ) {
            // Once the forwarder has found the queue empty and gone idle, plan a row and ring.
            if await queue.claimLimits.count == 1, await queue.rows.isEmpty {
                await queue.add(Self.rows(partner: "a", episode: "e1", count: 1))
                doorbell.ring()
            }
            return await queue.deliveredOrder.count == 1
        }
        #expect(await queue.deliveredOrder == ["a-e1-1"])
        #expect(ContinuousClock.now - started < .seconds(300))
    }

    @Test func claimsWaitForABatchOfFreeSlotsWhileAttemptsAreInFlight() async throws {
        // Forty streams of one row each; with eight slots (and 24 runs claimed ahead) and a batch of
        // four, every claim after the first asks for at least four rows (a poll of a minute never wakes it
        // in between).
        let rows = (1...40).flatMap { Self.rows(partner: "a", episode: "e\($0)", count: 1) }
        let queue = InMemoryDeliveryQueue(rows)
        let batched = Forwarder.Configuration(concurrency: 8, claimBatch: 4, pollInterval: .seconds(60))
        try await self.run(queue, partners: [self.partner("a")], concurrency: 8, configuration: batched) {
            await queue.deliveredOrder.count == 40
        }
        #expect(await queue.deliveredOrder.count == 40)
        let limits = await queue.claimLimits
        #expect(limits.first == 32)
        #expect(limits.allSatisfy { $0 >= 4 }, "claim limits: \(limits)")
    }
}
