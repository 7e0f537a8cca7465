import Delivery
import Testing

@testable import Sink

@Suite struct FailureScheduleTests {
    @Test func stepsAreConsumedInOrderThenEverythingIsAccepted() throws {
        var schedule = try FailureSchedule(parsing: "500x2,delay=3s,drop,400")
        let taken = (0..<7).map { _ in schedule.next() }
        #expect(
            taken == [
                .status(500, retryAfterSeconds: nil), .status(500, retryAfterSeconds: nil), .delay(.seconds(3)), .drop,
                .status(400, retryAfterSeconds: nil), .accept, .accept,
            ]
        )
    }

    @Test func repeatCyclesTheSchedule() throws {
        var schedule = try FailureSchedule(parsing: "ok, 503:5 ,repeat")
        let taken = (0..<5).map { _ in schedule.next() }
        #expect(
            taken == [
                .accept, .status(503, retryAfterSeconds: 5), .accept, .status(503, retryAfterSeconds: 5), .accept,
            ]
        )
        #expect(schedule.description == "ok,503:5,repeat")
    }

    @Test func delaysAndRepetitionsParse() throws {
        #expect(try FailureSchedule(parsing: "delay=250ms").steps == [.delay(.milliseconds(250))])
        #expect(try FailureSchedule(parsing: "delay=1.5sx2").steps == [.delay(.seconds(1.5)), .delay(.seconds(1.5))])
        #expect(try FailureSchedule(parsing: "dropx3").steps == [.drop, .drop, .drop])
        #expect(try FailureSchedule(parsing: "").steps == [])
    }

    @Test func emptyScheduleAcceptsEverything() {
        var schedule = FailureSchedule()
        #expect(schedule.next() == .accept)
        #expect(schedule.description == "ok")
    }

    @Test(arguments: [
        "600", "99", "100", "fail", "delay=3", "delay=-1s", "503:x", "500x0", "repeat,500", "repeat", "500:1:2",
    ])
    func badStepsAreRefusedWithTheStepNamed(text: String) {
        #expect(throws: FailureSchedule.ParseError.self) { try FailureSchedule(parsing: text) }
    }
}

@Suite struct SinkLedgerTests {
    @Test func inOrderAheadFilledLateAndDuplicate() {
        var ledger = SinkLedger()
        #expect(ledger.record(deliveryID: "a", partner: "p", episode: "e1", eventNumber: 1) == .inOrder)
        #expect(ledger.record(deliveryID: "b", partner: "p", episode: "e1", eventNumber: 2) == .inOrder)
        #expect(ledger.record(deliveryID: "b", partner: "p", episode: "e1", eventNumber: 2) == .duplicate)
        // Another episode's event overtakes two still on their way.
        #expect(ledger.record(deliveryID: "e", partner: "p", episode: "e2", eventNumber: 5) == .ahead(missing: 3...4))
        #expect(ledger.missing(partner: "p") == [3, 4])
        #expect(ledger.record(deliveryID: "c", partner: "p", episode: "e1", eventNumber: 3) == .filled)
        #expect(ledger.missing(partner: "p") == [4])
        // An episode's own events must rise: 4 after its 5 is out of order.
        #expect(ledger.record(deliveryID: "d", partner: "p", episode: "e2", eventNumber: 4) == .late(highestSeen: 5))
        #expect(ledger.totals.received == 6)
        #expect(ledger.totals.duplicates == 1)
        #expect(ledger.totals.ahead == 1)
        #expect(ledger.totals.filled == 1)
        #expect(ledger.totals.late == 1)
        #expect(ledger.totals.inOrder == 2)
    }

    @Test func aRedeliveryIsNamedAsSuchAndLeavesTheStreamAlone() {
        var ledger = SinkLedger()
        #expect(ledger.record(deliveryID: "a", partner: "p", episode: "e", eventNumber: 1) == .inOrder)
        #expect(ledger.record(deliveryID: "b", partner: "p", episode: "e", eventNumber: 2) == .inOrder)
        let again = ledger.record(deliveryID: "r", partner: "p", episode: "e", eventNumber: 1, redeliveryOf: "a")
        #expect(again == .redelivered(original: "a"))
        #expect(again.description == "REDELIVERY of a")
        #expect(
            ledger.record(deliveryID: "r", partner: "p", episode: "e", eventNumber: 1, redeliveryOf: "a") == .duplicate
        )
        #expect(ledger.record(deliveryID: "c", partner: "p", episode: "e", eventNumber: 3) == .inOrder)
        #expect(ledger.totals.redeliveries == 1)
        #expect(ledger.totals.late == 0)
    }

    @Test func numbersArePerSubscriptionAndOrderPerEpisode() {
        var ledger = SinkLedger()
        #expect(ledger.record(deliveryID: "1", partner: "p", episode: "e1", eventNumber: 1) == .inOrder)
        #expect(ledger.record(deliveryID: "2", partner: "p", episode: "e2", eventNumber: 2) == .inOrder)
        #expect(ledger.record(deliveryID: "3", partner: "q", episode: "e1", eventNumber: 1) == .inOrder)
        #expect(ledger.record(deliveryID: "4", partner: "q", episode: "e1", eventNumber: 3) == .ahead(missing: 2...2))
        #expect(SinkLedger.Verdict.ahead(missing: 2...2).description == "ahead (missing 2 so far)")
        #expect(SinkLedger.Verdict.ahead(missing: 2...4).description == "ahead (missing 2-4 so far)")
    }
}

@Suite struct PartnerSinkTests {
    let body = Array("{}".utf8)

    func arrival(
        id: String = "d-1",
        number: String = "1",
        signature: String? = nil,
        timestamp: String? = "1000"
    )
        -> PartnerSink.Arrival
    {
        PartnerSink.Arrival(
            deliveryID: id,
            partner: "p",
            episode: "ep-1",
            eventNumber: number,
            timestamp: timestamp,
            signature: signature,
            body: self.body
        )
    }

    @Test func signedDeliveryIsRecorded() {
        var sink = PartnerSink(verifier: SignatureVerifier(secret: "s"))
        let signature = DeliverySignature.sign(body: self.body, timestamp: 1000, secret: "s")
        let receipt = sink.accept(self.arrival(signature: signature), now: 1000)
        #expect(receipt.status == 200)
        #expect(receipt.verdict == .inOrder)
        #expect(receipt.line == "delivery=d-1 event=1 episode=ep-1 partner=p in-order (signature ok, 2 bytes)")
        #expect(sink.accept(self.arrival(signature: signature), now: 1000).verdict == .duplicate)
    }

    @Test func badSignatureIsRefusedAndNotRecorded() {
        var sink = PartnerSink(verifier: SignatureVerifier(secret: "s"))
        let receipt = sink.accept(self.arrival(signature: "sha256=00"), now: 1000)
        #expect(receipt.status == 401)
        #expect(receipt.verdict == nil)
        #expect(receipt.line.hasSuffix("rejected: signature mismatch"))
        #expect(sink.ledger.totals.received == 0)
    }

    @Test func missingFieldsAreABadRequest() {
        var sink = PartnerSink(verifier: SignatureVerifier(secret: nil))
        #expect(sink.accept(self.arrival(number: "x"), now: 0).status == 400)
    }

    @Test func scheduleDecidesFirst() throws {
        var sink = PartnerSink(verifier: SignatureVerifier(secret: nil), schedule: try FailureSchedule(parsing: "500"))
        let behaviour = sink.nextBehaviour()
        #expect(behaviour == .status(500, retryAfterSeconds: nil))
        #expect(PartnerSink.failureLine(self.arrival(), behaviour: behaviour).hasSuffix("failed on purpose (500)"))
        #expect(sink.nextBehaviour() == .accept)
    }
}
