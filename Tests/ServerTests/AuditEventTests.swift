import FHIRCore
import Foundation
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

    @Test func everyKindOfAccessIsAudited() async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(.json)
            let created = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: GatewayFixture.patient(.json)
            )
            let location = try #require(created.headers[.location])
            let start = try #require(location.range(of: "/fhir/")).lowerBound
            let path = String(location[start...].split(separator: "/_history")[0])
            #expect(try await client.execute(uri: path, method: .get, headers: headers).status == .ok)
            #expect(try await client.execute(uri: path + "/_history/1", method: .get, headers: headers).status == .ok)
            #expect(try await client.execute(uri: "/episodes", method: .get, headers: headers).status == .ok)
            let stranger = GatewayFixture.headers(.json, token: "nobody")
            #expect(try await client.execute(uri: "/episodes", method: .get, headers: stranger).status == .unauthorized)
            let limited = GatewayFixture.headers(.json, token: GatewayFixture.limitedToken)
            #expect(
                try await client.execute(
                    uri: "/fhir/Patient",
                    method: .post,
                    headers: limited,
                    body: GatewayFixture.patient(.json)
                ).status == .forbidden
            )
            let response = try await client.execute(
                uri: "/fhir/AuditEvent",
                method: .get,
                headers: GatewayFixture.headers(.json, token: GatewayFixture.operatorToken)
            )
            let events = try GatewayFixture.resource(response, .json).children(named: "entry").compactMap {
                $0.child("resource")
            }
            func event(_ subtype: String?, outcome: String) -> Element? {
                events.first { $0.child("subtype")?.string("code") == subtype && $0.string("outcome") == outcome }
            }
            let patient = "Patient/" + path.split(separator: "/").last.map(String.init)!
            for subtype in ["read", "vread"] {
                let read = try #require(event(subtype, outcome: "0"), "the \(subtype) is audited")
                let entities = read.children(named: "entity")
                #expect(entities.contains { $0.child("role")?.string("code") == "1" }, "the patient is named")
                #expect(entities.contains { $0.child("what")?.string("reference")?.hasPrefix(patient) == true })
            }
            #expect(event("search-type", outcome: "0") != nil, "the episode search is audited")
            #expect(event("create", outcome: "0") != nil, "the write is audited by the store")
            let unknown = try #require(
                events.first { $0.string("outcome") == "4" && $0.child("agent")?.child("who") == nil },
                "the unauthenticated request is audited"
            )
            #expect(unknown.string("outcomeDesc")?.contains("401") == true)
            let forbidden = try #require(event("create", outcome: "4"), "the forbidden write is audited")
            #expect(forbidden.child("agent")?.child("who")?.string("display") == "lab")
            #expect(!Validator.validate(try GatewayFixture.resource(response, .json)).hasErrors)
        }
    }
}
