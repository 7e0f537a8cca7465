import CoManagement
import Delivery
import Foundation
import Logging
import NIOPosix
import Store
import Testing

/// The delivery path end to end over loopback: planner, notification, signing, ``DeliveryDriver`` and
/// ``CurlTransport`` against a real `tandem sink` process failing on a schedule.
@Suite(.serialized) struct SinkEndToEndTests {
    let transport = CurlTransport(logger: Logger(label: "tandem.tests.e2e"))
    let builder = NotificationBuilder(baseURL: "http://tandem.test/fhir")

    static func episode() -> Episode {
        var episode = Episode(
            id: "ep-7",
            patient: PatientSummary(key: "urn:mrn|7"),
            serviceLine: "ophthalmology.cataract"
        )
        episode.participants = [
            Participant(
                key: "Organization/eyecare-1",
                party: Party(kind: .organization, reference: "Organization/eyecare-1"),
                role: "optometrist",
                phases: ["post-operative"]
            )
        ]
        return episode
    }

    func partner(_ id: String, url: URL, timeout: Duration = .seconds(5)) -> Partner {
        Partner(id: id, endpoint: url, represents: ["Organization/eyecare-1"], hmacSecret: "s3cret", timeout: timeout)
    }

    /// Plans the events for the partner and drives each delivery until it is delivered or dead-lettered,
    /// retrying at once (jitter 0), as the forwarder would with the outbox in between.
    func deliver(_ kinds: [EventKind], to partner: Partner) async -> [[DeliveryOutcome]] {
        let episode = Self.episode()
        let events = kinds.enumerated().map { index, kind in
            TimelineEvent(
                number: index + 1,
                kind: kind,
                at: nil,
                summary: kind.rawValue,
                source: "ServiceRequest/sr-7/_history/\(index + 1)"
            )
        }
        let plan = DeliveryPlanner.plan(
            change: Ingestion.EpisodeChange(episodeID: episode.id, events: events, episode: episode),
            partners: [partner],
            consentDefaultPermit: true
        )
        let driver = DeliveryDriver(transport: self.transport, consentDefaultPermit: true, jitter: .fixed(0))
        var all: [[DeliveryOutcome]] = []
        for (offset, delivery) in plan.deliveries.enumerated() {
            var delivery = delivery
            // The store numbers each delivery from its subscription's sequence.
            delivery.eventNumber = offset + 1
            delivery.body = self.builder.body(
                for: delivery,
                partner: partner,
                episode: episode,
                resources: [],
                plannedAt: Date()
            )
            var entry = OutboxEntry(delivery: delivery, createdAt: Date())
            var outcomes: [DeliveryOutcome] = []
            while outcomes.count < 5 {
                let outcome = await driver.attempt(entry, partner: partner, parties: episode.parties)
                outcomes.append(outcome)
                guard case .retry(_, let at) = outcome.action else { break }
                entry.attemptsMade += 1
                entry.retryAt = at
            }
            all.append(outcomes)
        }
        return all
    }

    @Test func serverErrorThenSuccess() async throws {
        let sink = try SinkProcess(["--secret", "s3cret", "--fail", "500"])
        let outcomes = await self.deliver([.referralCreated], to: self.partner("p", url: sink.url))
        let lines = sink.stop()
        #expect(outcomes[0].map(\.attempt?.status) == [500, 200])
        #expect(outcomes[0].last?.action == .markDelivered)
        #expect(lines.count == 2)
        #expect(lines[0].contains("failed on purpose (500)"))
        #expect(lines[1].contains("event=1 episode=ep-7 partner=p in-order (signature ok"))
    }

    @Test func rejectionIsDeadLetteredAtOnce() async throws {
        let sink = try SinkProcess(["--secret", "s3cret", "--fail", "400"])
        let outcomes = await self.deliver([.referralCreated], to: self.partner("p", url: sink.url))
        _ = sink.stop()
        #expect(outcomes[0].map(\.action) == [.deadLetter(.rejected(status: 400))])
    }

    @Test func droppedConnectionIsRetried() async throws {
        let sink = try SinkProcess(["--secret", "s3cret", "--fail", "drop"])
        let outcomes = await self.deliver([.referralCreated], to: self.partner("p", url: sink.url))
        _ = sink.stop()
        #expect(outcomes[0].first?.attempt?.error?.contains("[connection-lost]") == true)
        #expect(outcomes[0].last?.action == .markDelivered)
    }

    @Test func timeoutIsRetriedAndThePartnerSeesTheDuplicateByDeliveryID() async throws {
        let sink = try SinkProcess(["--secret", "s3cret", "--fail", "delay=1s"])
        let outcomes = await self.deliver(
            [.referralCreated],
            to: self.partner("p", url: sink.url, timeout: .milliseconds(300))
        )
        try await Task.sleep(for: .milliseconds(1500))  // let the delayed first attempt land
        let lines = sink.stop()
        #expect(outcomes[0].first?.attempt?.error?.contains("[timeout]") == true)
        #expect(outcomes[0].last?.action == .markDelivered)
        #expect(lines.contains { $0.contains("in-order") })
        #expect(lines.contains { $0.contains("duplicate") })
        let ids = Set(lines.compactMap { $0.split(separator: " ").first { $0.hasPrefix("delivery=") } })
        #expect(ids.count == 1)
    }

    @Test func eventsOfOneEpisodeArriveInOrder() async throws {
        let sink = try SinkProcess(["--secret", "s3cret"])
        let outcomes = await self.deliver(
            [.referralCreated, .referralAccepted, .carePlanCreated],
            to: self.partner("p", url: sink.url)
        )
        let lines = sink.stop()
        #expect(outcomes.allSatisfy { $0.last?.action == .markDelivered })
        #expect(lines.map { $0.contains("in-order") } == [true, true, true])
        #expect(lines.map { $0.contains("event=\(lines.firstIndex(of: $0)! + 1) ") } == [true, true, true])
    }

    @Test func deadPartnerDoesNotHoldUpTheOther() async throws {
        let sink = try SinkProcess(["--secret", "s3cret"])
        let deadPort = try SinkProcess([]).stopAndKeepPort()
        async let dead = self.deliver(
            [.referralCreated],
            to: self.partner("dead", url: URL(string: "http://127.0.0.1:\(deadPort)/")!)
        )
        async let alive = self.deliver([.referralCreated], to: self.partner("alive", url: sink.url))
        let (deadOutcomes, aliveOutcomes) = await (dead, alive)
        _ = sink.stop()
        #expect(aliveOutcomes[0].map(\.action) == [.markDelivered])
        #expect(deadOutcomes[0].allSatisfy { $0.attempt?.error?.contains("[connection-failed]") == true })
        #expect(deadOutcomes[0].count == 5)
    }

    @Test func wrongSecretIsRefused() async throws {
        let sink = try SinkProcess(["--secret", "other"])
        let outcomes = await self.deliver([.referralCreated], to: self.partner("p", url: sink.url))
        let lines = sink.stop()
        #expect(outcomes[0].map(\.action) == [.deadLetter(.rejected(status: 401))])
        #expect(lines.first?.contains("signature mismatch") == true)
    }
}

extension SinkProcess {
    /// Stops a sink and returns its port, which nothing listens on any more.
    func stopAndKeepPort() -> Int {
        _ = self.stop()
        return self.port
    }
}
