import FHIRCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct OperationsTests {
    @Test(arguments: WireFormat.allCases)
    func capabilityStatementNeedsNoTokenAndListsWhatWorks(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(
                uri: "/fhir/metadata",
                method: .get,
                headers: [.accept: format.mediaType]
            )
            #expect(response.status == .ok)
            let statement = try GatewayFixture.resource(response, format)
            #expect(statement.type == "CapabilityStatement")
            #expect(statement.string("fhirVersion") == "4.0.1")
            let rest = try #require(statement.child("rest"))
            let patient = try #require(rest.children(named: "resource").first { $0.string("type") == "Patient" })
            func interactions(_ type: String) -> Set<String> {
                let resource = rest.children(named: "resource").first { $0.string("type") == type }
                return Set(resource?.children(named: "interaction").compactMap { $0.string("code") } ?? [])
            }
            #expect(
                Set(patient.children(named: "interaction").compactMap { $0.string("code") })
                    == ["read", "vread", "update", "delete", "history-instance", "create", "search-type"]
            )
            #expect(
                patient.children(named: "searchParam").compactMap { $0.string("name") }
                    == ["_id", "_lastUpdated", "identifier", "name"]
            )
            // No search where there is none; the audit trail is searched, never written.
            #expect(!interactions("Observation").contains("search-type"))
            #expect(interactions("AuditEvent") == ["search-type"])
            #expect(interactions("Subscription") == ["read", "create", "update", "delete", "search-type"])
            let subscription = try #require(
                rest.children(named: "resource").first { $0.string("type") == "Subscription" }
            )
            #expect(subscription.children(named: "operation").compactMap { $0.string("name") } == ["status", "events"])
            let topics = subscription.children(named: "extension").compactMap { $0.string("value") }
            #expect(
                topics.contains("http://localhost/fhir/SubscriptionTopic/referral") || topics.count == 7,
                "\(topics)"
            )
            let serviceRequest = try #require(
                rest.children(named: "resource").first { $0.string("type") == "ServiceRequest" }
            )
            #expect(
                serviceRequest.children(named: "searchInclude").compactMap(\.value)
                    == ["ServiceRequest:subject", "ServiceRequest:requester", "ServiceRequest:performer"]
            )
            #expect(rest.string("documentation")?.contains("$events") == true)
            #expect(Validator.validate(statement).hasErrors == false)
        }
    }

    @Test func healthAndMetricsAnswer() async throws {
        try await GatewayFixture.withGateway { client in
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            _ = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: GatewayFixture.headers(.json),
                body: GatewayFixture.patient(.json)
            )
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            #expect(text.contains("tandem_ingest_duration"))
            #expect(text.contains("tandem_store_duration"))
        }
    }
}
