import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Server

/// Subscriptions over REST as partners make them (R4 Subscriptions Backport IG): create, read, update,
/// delete, search, `$status` and `$events`, each partner its own.
@Suite struct SubscriptionRouteTests {
    typealias F = GatewayFixture
    static let eyecare = "eyecare-secret"
    static let other = "other-partner-secret"

    static func withPartners(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let partners = [
            PartnerAccount(id: "eyecare", tokenHash: Sender.hash(token: Self.eyecare), represents: []),
            PartnerAccount(id: "other", tokenHash: Sender.hash(token: Self.other), represents: []),
        ]
        try await F.withGateway(configure: { $0.partners = partners }, body)
    }

    static func subscription(
        topic: String = "http://localhost/fhir/SubscriptionTopic/referral",
        status: String = "requested",
        filter: String = "service-line=ophthalmology.cataract",
        content: String = "id-only",
        id: String? = nil
    ) -> ByteBuffer {
        let idField = id.map { #""id":"\#($0)","# } ?? ""
        return ByteBuffer(
            string: #"""
                {"resourceType":"Subscription",\#(idField)"status":"\#(status)","reason":"referrals","criteria":"\#(topic)",
                 "_criteria":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria","valueString":"\#(filter)"}]},
                 "channel":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-heartbeat-period","valueUnsignedInt":60}],
                  "type":"rest-hook","endpoint":"https://partner.example/notify","payload":"application/fhir+json",
                  "_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":"\#(content)"}]}}}
                """#
        )
    }

    static func send(
        _ client: any TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String,
        token: String = Self.eyecare,
        body: ByteBuffer? = nil,
        extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, resource: Element?) {
        let response = try await client.execute(
            uri: uri,
            method: method,
            headers: F.headers(.json, token: token, extra: extra),
            body: body
        )
        let resource = response.body.readableBytes > 0 ? try F.resource(response, .json) : nil
        return (response.status, response.headers, resource)
    }

    @Test func aPartnerCreatesReadsUpdatesAndDeletesItsOwn() async throws {
        try await Self.withPartners { client in
            let created = try await Self.send(client, .post, "/fhir/Subscription", body: Self.subscription())
            #expect(created.status == .created, "\(String(describing: created.resource))")
            let id = try #require(created.resource?.resourceID)
            #expect(created.resource?.string("status") == "requested", "active only once its handshake succeeds")
            #expect(created.headers[.location]?.hasSuffix("/fhir/Subscription/\(id)/_history/1") == true)
            let read = try await Self.send(client, .get, "/fhir/Subscription/\(id)")
            #expect(read.status == .ok)
            #expect(read.resource?.child("channel")?.string("endpoint") == "https://partner.example/notify")
            // Another partner, and a sender, may not know of it.
            #expect(
                try await Self.send(client, .get, "/fhir/Subscription/\(id)", token: Self.other).status == .notFound
            )
            #expect(try await Self.send(client, .get, "/fhir/Subscription/\(id)", token: F.token).status == .notFound)
            #expect(try await Self.send(client, .get, "/fhir/Subscription/\(id)", token: F.operatorToken).status == .ok)
            let updated = try await Self.send(
                client,
                .put,
                "/fhir/Subscription/\(id)",
                body: Self.subscription(status: "off", id: id),
                extra: [.ifMatch: #"W/"1""#]
            )
            #expect(updated.status == .ok)
            #expect(updated.resource?.string("status") == "off")
            let stale = try await Self.send(
                client,
                .put,
                "/fhir/Subscription/\(id)",
                body: Self.subscription(id: id),
                extra: [.ifMatch: #"W/"1""#]
            )
            #expect(stale.status == .preconditionFailed)
            #expect(
                try await Self.send(
                    client,
                    .put,
                    "/fhir/Subscription/\(id)",
                    token: Self.other,
                    body: Self.subscription(id: id)
                ).status == .conflict
            )
            #expect(
                try await Self.send(client, .delete, "/fhir/Subscription/\(id)", token: Self.other).status == .notFound
            )
            #expect(try await Self.send(client, .delete, "/fhir/Subscription/\(id)").status == .noContent)
            #expect(try await Self.send(client, .get, "/fhir/Subscription/\(id)").status == .notFound)
        }
    }

    @Test(arguments: [
        (
            "http://elsewhere.example/fhir/SubscriptionTopic/referral", "service-line=x", "id-only",
            "Subscription.criteria"
        ),
        ("http://localhost/fhir/SubscriptionTopic/nonsense", "service-line=x", "id-only", "Subscription.criteria"),
        ("http://localhost/fhir/SubscriptionTopic/all", "colour=blue", "id-only", "Subscription.criteria.extension[0]"),
        ("http://localhost/fhir/SubscriptionTopic/all", "patient=42", "id-only", "Subscription.criteria.extension[0]"),
        (
            "http://localhost/fhir/SubscriptionTopic/all", "episode=e", "everything",
            "Subscription.channel.payload.extension"
        ),
    ])
    func whatTheGatewayCannotHonourIsRefusedNamingThePath(
        topic: String,
        filter: String,
        content: String,
        path: String
    )
        async throws
    {
        try await Self.withPartners { client in
            let refused = try await Self.send(
                client,
                .post,
                "/fhir/Subscription",
                body: Self.subscription(topic: topic, filter: filter, content: content)
            )
            #expect(refused.status == .unprocessableContent)
            let issues = refused.resource?.children(named: "issue") ?? []
            #expect(issues.contains { $0.children(named: "expression").contains { $0.value == path } }, "\(issues)")
        }
    }

    @Test func onlyPartnersSubscribe() async throws {
        try await Self.withPartners { client in
            let sender = try await Self.send(
                client,
                .post,
                "/fhir/Subscription",
                token: F.token,
                body: Self.subscription()
            )
            #expect(sender.status == .forbidden)
            let ops = try await Self.send(
                client,
                .post,
                "/fhir/Subscription",
                token: F.operatorToken,
                body: Self.subscription()
            )
            #expect(ops.status == .forbidden)
        }
    }

    @Test func searchStatusAndEvents() async throws {
        try await Self.withPartners { client in
            for _ in 0..<2 { _ = try await Self.send(client, .post, "/fhir/Subscription", body: Self.subscription()) }
            _ = try await Self.send(client, .post, "/fhir/Subscription", token: Self.other, body: Self.subscription())
            let mine = try await Self.send(client, .get, "/fhir/Subscription?status=requested")
            #expect(mine.resource?.string("total") == "2")
            #expect(
                try await Self.send(client, .get, "/fhir/Subscription?status=active").resource?.string("total") == "0"
            )
            #expect(
                try await Self.send(client, .get, "/fhir/Subscription", token: F.operatorToken).resource?.string(
                    "total"
                ) == "3"
            )
            let id = try #require(mine.resource?.child("entry")?.child("resource")?.resourceID)
            let status = try await Self.send(client, .get, "/fhir/Subscription/\(id)/$status")
            #expect(status.status == .ok)
            let parameters = try #require(status.resource?.child("entry")?.child("resource"))
            #expect(parameters.type == "Parameters")
            let values = Dictionary(
                parameters.children(named: "parameter").map {
                    ($0.string("name") ?? "", $0.child("value")?.value ?? "")
                },
                uniquingKeysWith: { first, _ in first }
            )
            #expect(values["type"] == "query-status")
            #expect(values["status"] == "requested")
            #expect(values["events-since-subscription-start"] == "0")
            let all = try await Self.send(client, .get, "/fhir/Subscription/$status")
            #expect(all.resource?.string("total") == "2")
            let events = try await Self.send(client, .get, "/fhir/Subscription/\(id)/$events?eventsSinceNumber=1")
            #expect(events.status == .ok)
            #expect(events.resource?.string("type") == "history")
            #expect(events.resource?.children(named: "entry").count == 1, "the status alone: no event yet")
            #expect(
                try await Self.send(client, .get, "/fhir/Subscription/\(id)/$events?eventsSinceNumber=x").status
                    == .badRequest
            )
            #expect(
                try await Self.send(client, .get, "/fhir/Subscription/\(id)/$events", token: Self.other).status
                    == .notFound
            )
            #expect(try await Self.send(client, .get, "/fhir/Subscription/\(id)/$purge").status == .notFound)
            #expect(Validator.validate(try #require(status.resource)).hasErrors == false)
        }
    }
}
