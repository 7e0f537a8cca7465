import CoManagement
import Foundation
import Sink
import Store
import Testing

@testable import Delivery

@Suite struct DeliveryDriverTests {
    typealias F = Fixtures
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    let partner = Fixtures.partner("optometry", represents: ["Organization/eyecare-1"], secret: "s3cret")
    let entry = OutboxEntry(
        delivery: PlannedDelivery(
            id: "d-1",
            partnerID: "optometry",
            episodeID: "ep-1",
            eventNumber: 1,
            event: Fixtures.event(3, .referralCreated),
            body: Array("{}".utf8)
        ),
        createdAt: Self.now.addingTimeInterval(-10)
    )

    func driver(_ transport: ScriptedTransport, defaultPermit: Bool = true) -> DeliveryDriver {
        DeliveryDriver(
            transport: transport,
            consentDefaultPermit: defaultPermit,
            jitter: .fixed(1),
            clock: { Self.now }
        )
    }

    @Test func successIsMarkedDeliveredAndRecorded() async {
        let transport = ScriptedTransport([.success(DeliveryResponse(status: 202, excerpt: Array("ok".utf8)))])
        let outcome = await self.driver(transport).attempt(
            self.entry,
            partner: self.partner,
            parties: F.parties()
        )
        #expect(outcome.action == .markDelivered)
        #expect(outcome.attempt?.number == 1)
        #expect(outcome.attempt?.status == 202)
        #expect(outcome.attempt?.excerpt == Array("ok".utf8))
        #expect(outcome.refusal == nil)
        let request = transport.requests[0]
        #expect(request.header(DeliverySignature.Header.deliveryID) == "d-1")
        #expect(request.header(DeliverySignature.Header.attempt) == "1")
        #expect(
            SignatureVerifier(secret: "s3cret").verify(
                body: request.body,
                timestamp: request.header(DeliverySignature.Header.timestamp),
                signature: request.header(DeliverySignature.Header.signature),
                now: 1_800_000_000
            ) == .valid
        )
    }

    @Test func serverErrorIsRetriedAndRetryAfterHonoured() async {
        let transport = ScriptedTransport([.success(DeliveryResponse(status: 503, retryAfter: "30"))])
        var entry = self.entry
        entry.attemptsMade = 2
        entry.retryAt = Self.now
        let outcome = await self.driver(transport).attempt(
            entry,
            partner: self.partner,
            parties: F.parties()
        )
        #expect(outcome.action == .retry(after: .seconds(30), at: Self.now.addingTimeInterval(30)))
        #expect(outcome.attempt?.number == 3)
        #expect(transport.requests[0].header(DeliverySignature.Header.attempt) == "3")
    }

    @Test func transportErrorIsRecordedAndRetried() async {
        let transport = ScriptedTransport([.failure(TransportError(.timeout, curlCode: 28, "slow"))])
        let outcome = await self.driver(transport).attempt(
            self.entry,
            partner: self.partner,
            parties: F.parties()
        )
        #expect(outcome.attempt?.error == "transport error [timeout] (curl 28): slow")
        guard case .retry = outcome.action else {
            Testing.Issue.record("expected a retry, got \(outcome.action)")
            return
        }
    }

    @Test func rejectionDeadLetters() async {
        let outcome = await self.driver(ScriptedTransport(statuses: [422])).attempt(
            self.entry,
            partner: self.partner,
            parties: F.parties()
        )
        #expect(outcome.action == .deadLetter(.rejected(status: 422)))
    }

    @Test func consentRevokedSincePlanningSendsNothing() async {
        var consent = ConsentState()
        consent.deniedParties = ["Organization/eyecare-1"]
        let transport = ScriptedTransport()
        let outcome = await self.driver(transport).attempt(
            self.entry,
            partner: self.partner,
            parties: F.parties(consent: consent)
        )
        #expect(outcome.action == .deadLetter(.consentRevoked))
        #expect(outcome.attempt == nil)
        #expect(outcome.refusal?.partnerID == "optometry")
        #expect(transport.requests.isEmpty)
    }

    @Test func tooOldSendsNothing() async {
        var entry = self.entry
        entry.createdAt = Self.now.addingTimeInterval(-2 * 24 * 3600)
        let transport = ScriptedTransport()
        let outcome = await self.driver(transport).attempt(
            entry,
            partner: self.partner,
            parties: F.parties()
        )
        #expect(outcome.action == .deadLetter(.expired(last: nil)))
        #expect(outcome.attempt == nil)
        #expect(transport.requests.isEmpty)
    }
}
