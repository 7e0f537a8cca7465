import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Server
import Testing

/// A referral no service line matches is stored, answered with a warning that names its codes, and listed
/// for operators on `GET /unmatched`.
@Suite struct UnmatchedReferralTests {
    static let localSystem = "http://hospital.example.org/fhir/CodeSystem/procedures"

    static func referral(subject: String) -> String {
        #"{"resourceType":"ServiceRequest","identifier":[{"system":"urn:oid:1.2.3","value":"SR-9"}],"status":"active","intent":"order","code":{"coding":[{"system":"\#(Self.localSystem)","code":"PHACO-IOL"}]},"subject":{"reference":"\#(subject)"}}"#
    }

    static let transaction = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"\(BundleFixtures.patientURL)","resource":\(BundleFixtures.patient),
           "request":{"method":"POST","url":"Patient"}},
          {"fullUrl":"urn:uuid:0c3f4a52-9999-4d7e-9a0b-5c6d7e8f9a09","resource":\(referral(subject: BundleFixtures.patientURL)),
           "request":{"method":"POST","url":"ServiceRequest"}}
        ]}
        """

    @Test(arguments: WireFormat.allCases)
    func transactionAnswersTheUnmatchedReferralWithAWarning(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: try BundleFixtures.body(Self.transaction, format)
            )
            #expect(response.status == .ok)
            let bundle = try GatewayFixture.resource(response, format)
            #expect(!Validator.validate(bundle).hasErrors)
            let entries = bundle.children(named: "entry")
            try #require(entries.count == 2)
            #expect(entries[0].child("response")?.child("outcome") == nil)
            let outcome = try #require(entries[1].child("response")?.child("outcome"))
            let issue = try #require(outcome.children(named: "issue").first)
            #expect(issue.string("severity") == "warning")
            #expect(issue.children(named: "expression").first?.value == "ServiceRequest.code")
            #expect(issue.string("diagnostics")?.contains("\(Self.localSystem)|PHACO-IOL") == true)
        }
    }

    @Test func operatorsListTheUnmatchedReferralsAndSendersMayNot() async throws {
        try await GatewayFixture.withGateway { client in
            let posted = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: GatewayFixture.headers(.json),
                body: ByteBuffer(string: Self.transaction)
            )
            let location = try #require(
                try GatewayFixture.resource(posted, .json).children(named: "entry").last?.child("response")?
                    .string("location")
            )
            let reference = location.split(separator: "/").prefix(2).joined(separator: "/")
            let listed = try await client.execute(
                uri: "/unmatched",
                method: .get,
                headers: [.authorization: "Bearer \(GatewayFixture.operatorToken)"]
            )
            #expect(listed.status == .ok)
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView)) as? [String: Any]
            )
            let first = try #require((json["unmatched"] as? [[String: Any]])?.first)
            #expect(first["key"] as? String == reference)
            #expect(first["path"] as? String == "ServiceRequest.code")
            #expect(first["sender"] as? String == "st-marys")
            #expect((first["codes"] as? [[String: Any]])?.first?["code"] as? String == "PHACO-IOL")

            let refused = try await client.execute(
                uri: "/unmatched",
                method: .get,
                headers: GatewayFixture.headers(.json)
            )
            #expect(refused.status == .forbidden)
            let bad = try await client.execute(
                uri: "/unmatched?_count=many",
                method: .get,
                headers: [.authorization: "Bearer \(GatewayFixture.operatorToken)"]
            )
            #expect(bad.status == .badRequest)
        }
    }

    @Test func listingNeedsTheReferralTypesScopesAndIsAudited() async throws {
        let smart = try SMARTClientFixture()
        // The fixture's client, registered as the operator instead of a partner.
        let configure: @Sendable (inout GatewaySettings) -> Void = { settings in
            smart.configure(&settings)
            settings.clients = settings.clients.map { client in
                var client = client
                client.role = .operator(Operator(name: "ops", tokenHash: ""))
                return client
            }
        }
        try await GatewayFixture.withGateway(configure: configure) { client in
            func list(scope: String) async throws -> TestResponse {
                let answer = try await SMARTClientFixture.requestToken(
                    client,
                    assertion: try await smart.assertion(),
                    scope: scope
                )
                let token = try #require(SMARTClientFixture.json(answer)["access_token"] as? String)
                return try await client.execute(
                    uri: "/unmatched",
                    method: .get,
                    headers: [.authorization: "Bearer \(token)"]
                )
            }
            let narrow = try await list(scope: "system/ServiceRequest.s")
            #expect(narrow.status == .forbidden)
            #expect(narrow.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
            #expect(try await list(scope: "system/ServiceRequest.s system/Task.s system/CarePlan.s").status == .ok)
            let sender = GatewayFixture.headers(.json)
            #expect(try await client.execute(uri: "/unmatched", method: .get, headers: sender).status == .forbidden)

            let trail = try await client.execute(
                uri: "/fhir/AuditEvent",
                method: .get,
                headers: GatewayFixture.headers(.json, token: GatewayFixture.operatorToken)
            )
            let events = try GatewayFixture.resource(trail, .json).children(named: "entry").compactMap {
                $0.child("resource")
            }
            let listed = events.filter {
                $0.child("subtype")?.string("code") == "search-type" && $0.string("outcome") == "0"
                    && $0.children(named: "entity").contains { $0.child("what")?.string("display") == "unmatched" }
            }
            #expect(listed.count == 1, "the operator's listing is audited")
            let refused = events.filter {
                $0.string("outcome") == "4" && $0.string("outcomeDesc")?.contains("403") == true
            }
            #expect(refused.count == 2, "the refusals (scope, role) are audited")
            #expect(refused.contains { $0.child("agent")?.child("who")?.string("display") == "st-marys" })
        }
    }

    @Test func preferOperationOutcomeCarriesTheWarning() async throws {
        try await GatewayFixture.withGateway { client in
            var headers = GatewayFixture.headers(.json)
            headers[HTTPField.Name("Prefer")!] = "return=OperationOutcome"
            let response = try await client.execute(
                uri: "/fhir/ServiceRequest",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: Self.referral(subject: "Patient/p1"))
            )
            #expect(response.status == .created)
            let outcome = try GatewayFixture.resource(response, .json)
            let severities = outcome.children(named: "issue").compactMap { $0.string("severity") }
            #expect(severities.first == "information" && severities.contains("warning"))
        }
    }
}
