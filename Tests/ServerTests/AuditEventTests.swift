import FHIRCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct AuditEventTests {
    @Test(arguments: WireFormat.allCases)
    func auditTrailIsASearchsetOfValidAuditEvents(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            _ = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: GatewayFixture.patient(format)
            )
            _ = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: headers,
                body: try BundleFixtures.body(BundleFixtures.batch, format)
            )
            let sender = try await client.execute(uri: "/fhir/AuditEvent", method: .get, headers: headers)
            #expect(sender.status == .forbidden, "only operators read the audit trail")
            let response = try await client.execute(
                uri: "/fhir/AuditEvent",
                method: .get,
                headers: GatewayFixture.headers(format, token: GatewayFixture.operatorToken)
            )
            #expect(response.status == .ok)
            let bundle = try GatewayFixture.resource(response, format)
            #expect(bundle.string("type") == "searchset")
            let outcome = Validator.validate(bundle)
            #expect(!outcome.hasErrors, "\(outcome)")
            let events = bundle.children(named: "entry").compactMap { $0.child("resource") }
            // The create, the batch's written and failed entries, and the sender's refused search.
            #expect(events.count == 4)
            #expect(events.allSatisfy { $0.type == "AuditEvent" })
            let newest = try #require(events.first)
            #expect(newest.child("agent")?.child("who")?.string("display") == "st-marys")
            #expect(newest.string("outcome") == "4", "the refused search of the audit trail")
            #expect(newest.child("subtype")?.string("code") == "search-type")
            #expect(events.last?.string("action") == "C")
            #expect(events.last?.child("entity")?.child("what")?.string("reference")?.hasPrefix("Patient/") == true)
        }
    }

    @Test func countLimitsThePage() async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(.json)
            for _ in 0..<3 {
                _ = try await client.execute(
                    uri: "/fhir/Patient",
                    method: .post,
                    headers: headers,
                    body: GatewayFixture.patient(.json)
                )
            }
            let response = try await client.execute(
                uri: "/fhir/AuditEvent?_count=2",
                method: .get,
                headers: GatewayFixture.headers(.json, token: GatewayFixture.operatorToken)
            )
            #expect(try GatewayFixture.resource(response, .json).children(named: "entry").count == 2)
        }
    }
}
