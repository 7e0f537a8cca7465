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
            let interactions = patient.children(named: "interaction").compactMap { $0.string("code") }
            #expect(Set(interactions) == ["read", "vread", "update", "history-instance", "create"])
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
