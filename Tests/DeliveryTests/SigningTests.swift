import CoManagement
import Foundation
import Store
import Testing

@testable import Delivery

@Suite struct SigningTests {
    typealias F = Fixtures
    typealias H = DeliverySignature.Header

    let delivery = PlannedDelivery(
        id: "d-1",
        partnerID: "p",
        episodeID: "ep-1",
        eventNumber: 4,
        event: Fixtures.event(9, .referralAccepted)
    )
    let body = Array(#"{"resourceType":"Bundle"}"#.utf8)

    @Test func signatureIsHMACSHA256OverTimestampDotBody() {
        // Reference value: printf '1800000000.{"resourceType":"Bundle"}' | openssl dgst -sha256 -hmac s3cret
        let signature = DeliverySignature.sign(body: self.body, timestamp: 1_800_000_000, secret: "s3cret")
        #expect(signature == "sha256=10000991085b18a2b8c955ded8d94bea70901ceb5016905b5d10fb0f58caf902")
    }

    @Test func requestCarriesDeliveryHeadersAndSignature() {
        var partner = F.partner("p", secret: "s3cret")
        partner.auth = .bearer(token: "tok")
        let request = DeliveryRequestBuilder.request(
            for: self.delivery,
            partner: partner,
            body: self.body,
            attempt: 2,
            timestamp: 1_800_000_000
        )
        #expect(request.header(H.deliveryID) == "d-1")
        #expect(request.header(H.eventNumber) == "4")
        #expect(request.header(H.episode) == "ep-1")
        #expect(request.header(H.attempt) == "2")
        #expect(request.header(H.timestamp) == "1800000000")
        #expect(request.header("content-type") == "application/fhir+json; fhirVersion=4.0")
        #expect(request.header("Authorization") == "Bearer tok")
        #expect(
            request.header(H.signature)
                == DeliverySignature.sign(body: self.body, timestamp: 1_800_000_000, secret: "s3cret")
        )
        #expect(request.body == self.body)
        #expect(request.url == partner.endpoint)
    }

    @Test func aRedeliveryNamesItsOriginal() {
        var delivery = self.delivery
        #expect(
            DeliveryRequestBuilder.request(for: delivery, partner: F.partner("p"), body: [], attempt: 1, timestamp: 1)
                .header(H.redeliveryOf) == nil
        )
        delivery.redeliveryOf = "d-0"
        #expect(
            DeliveryRequestBuilder.request(for: delivery, partner: F.partner("p"), body: [], attempt: 1, timestamp: 1)
                .header(H.redeliveryOf) == "d-0"
        )
    }

    @Test func noSecretNoSignature() {
        let request = DeliveryRequestBuilder.request(
            for: self.delivery,
            partner: F.partner("p"),
            body: self.body,
            attempt: 1,
            timestamp: 1
        )
        #expect(request.header(H.signature) == nil)
        #expect(request.header("Authorization") == nil)
    }

    @Test func basicAuthAndClientCertificate() {
        var partner = F.partner("p")
        partner.auth = .basic(user: "aladdin", password: "opensesame")
        #expect(
            DeliveryRequestBuilder.request(for: self.delivery, partner: partner, body: [], attempt: 1, timestamp: 1)
                .header("Authorization") == "Basic YWxhZGRpbjpvcGVuc2VzYW1l"
        )
        partner.auth = .clientCertificate(certificatePath: "/c.pem", keyPath: "/k.pem")
        partner.caBundlePath = "/ca.pem"
        let tls = DeliveryRequestBuilder.request(
            for: self.delivery,
            partner: partner,
            body: [],
            attempt: 1,
            timestamp: 1
        ).tls
        #expect(tls == TLSSettings(caBundlePath: "/ca.pem", clientCertificatePath: "/c.pem", clientKeyPath: "/k.pem"))
    }
}
