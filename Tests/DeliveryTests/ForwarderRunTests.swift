import CoManagement
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing

@testable import Delivery

/// Runs: a stream's rows claimed together go out one after the other in one slot, each only after the
/// one before was delivered; the rest of a run that stops is given back.
@Suite struct ForwarderRunTests {
    typealias F = Fixtures

    @Test func consecutiveRowsOfAStreamFormOneRun() {
        let rows =
            ForwarderTests.rows(partner: "a", episode: "e1", count: 2)
            + ForwarderTests.rows(partner: "b", episode: "e1", count: 1)
            + ForwarderTests.rows(partner: "a", episode: "e1", count: 1)
        let runs = Forwarder.Run.runs(of: rows, claimedAt: Date(timeIntervalSince1970: 0), lease: .seconds(60))
        #expect(runs.map { $0.rows.map(\.entry.delivery.partnerID) } == [["a", "a"], ["b"], ["a"]])
        #expect(runs.allSatisfy { $0.leaseEnds == Date(timeIntervalSince1970: 60) })
    }

    @Test func aRunGoesOnOnlyAfterADeliveryAndWhileARequestFitsInTheLease() {
        let run = Forwarder.Run(
            rows: ForwarderTests.rows(partner: "a", episode: "e1", count: 2),
            leaseEnds: Date(timeIntervalSince1970: 60)
        )
        let delivered = DeliveryOutcome(action: .markDelivered, attempt: nil, refusal: nil)
        let retry = DeliveryOutcome(action: .retry(after: .seconds(1), at: Date()), attempt: nil, refusal: nil)
        let early = Date(timeIntervalSince1970: 10)
        #expect(run.mayContinue(after: delivered, timeout: .seconds(10), now: early))
        #expect(!run.mayContinue(after: retry, timeout: .seconds(10), now: early))
        #expect(!run.mayContinue(after: delivered, timeout: .seconds(10), now: Date(timeIntervalSince1970: 55)))
    }

    /// Fails the first request for `a-e1-1` with a 500 and records what was sent, in order.
    final class FailOnce: Transport {
        let sent = Mutex<[String]>([])

        func send(_ request: DeliveryRequest) async -> Result<DeliveryResponse, TransportError> {
            let id = request.headers.first { $0.name.lowercased() == "x-tandem-delivery-id" }?.value ?? "?"
            let first = self.sent.withLock { sent in
                sent.append(id)
                return sent.filter { $0 == id }.count == 1
            }
            return .success(DeliveryResponse(status: id == "a-e1-1" && first ? 500 : 200))
        }
    }

    @Test func aRunStopsAtAFailureAndGivesTheRestBack() async throws {
        let queue = InMemoryDeliveryQueue(
            ForwarderTests.rows(partner: "a", episode: "e1", count: 3)
                + ForwarderTests.rows(partner: "a", episode: "e2", count: 3)
        )
        let transport = FailOnce()
        let forwarder = Forwarder(
            queue: queue,
            driver: DeliveryDriver(transport: transport, consentDefaultPermit: true, jitter: .fixed(1)),
            partners: [ForwarderTests().partner("a")],
            configuration: .init(concurrency: 4, pollInterval: .milliseconds(5), run: 8),
            logger: Logger(label: "tandem.tests.forwarder")
        )
        let group = ServiceGroup(services: [forwarder], logger: Logger(label: "tandem.tests.group"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            while await queue.deliveredOrder.count < 6, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let sent = transport.sent.withLock { $0 }
        #expect(sent.filter { $0.hasPrefix("a-e1-") } == ["a-e1-1", "a-e1-1", "a-e1-2", "a-e1-3"])
        #expect(sent.filter { $0.hasPrefix("a-e2-") } == ["a-e2-1", "a-e2-2", "a-e2-3"])
        #expect(await queue.released == ["a-e1-2", "a-e1-3"])
        let order = await queue.deliveredOrder
        #expect(order.filter { $0.hasPrefix("a-e1-") } == ["a-e1-1", "a-e1-2", "a-e1-3"])
        #expect(await queue.claims.first == ["a-e1-1", "a-e1-2", "a-e1-3", "a-e2-1", "a-e2-2", "a-e2-3"])
    }
}
