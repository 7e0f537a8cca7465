import CoManagement
import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Server
import Testing

/// `GET /measures` (issue 22): operators read every row, a partner only its own, senders none; the FHIR
/// form is a Bundle of valid MeasureReports; bad parameters are OperationOutcomes naming them.
@Suite struct MeasureRouteTests {
    static let optometrist = "http://regional-hie.example.org/fhir/sid/provider-directory|PD-5582190"
    static let partnerToken = "eyecare-secret"

    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/ophthalmology.cataract")

    /// The cataract scenario's five steps, as `replay --to` posts them, as Lakeside.
    static func postCataract(_ client: any TestClientProtocol) async throws {
        for file in ["01-referral", "02-acceptance", "03-care-plan", "04-handoff", "05-report"] {
            let bytes = Array(try Data(contentsOf: Self.samples.appendingPathComponent("\(file).json")))
            let resource = try FHIRJSON.read(bytes).root
            let uri = resource.type == "Bundle" ? "/fhir" : "/fhir/\(resource.type)/\(resource.resourceID ?? "")"
            let response = try await client.execute(
                uri: uri,
                method: resource.type == "Bundle" ? .post : .put,
                headers: GatewayFixture.headers(.json, token: GatewayFixture.lakesideToken),
                body: ByteBuffer(bytes: bytes)
            )
            #expect(response.status.code < 300, "\(file): \(response.status)")
        }
    }

    static let configure: @Sendable (inout GatewaySettings) -> Void = { settings in
        settings.partners = [
            PartnerAccount(
                id: "eyecare",
                tokenHash: Sender.hash(token: Self.partnerToken),
                represents: [Self.optometrist]
            )
        ]
        settings.measureAudiences = [
            MeasureAudience(id: "eyecare", represents: [Self.optometrist], serviceLines: []),
            MeasureAudience(id: "cardiac-watch", represents: [], serviceLines: ["cardiology.service-line"]),
        ]
    }

    static func rows(_ response: TestResponse) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return object?["measures"] as? [[String: Any]] ?? []
    }

    @Test func operatorsReadEveryRowPartnersTheirOwnSendersNone() async throws {
        try await GatewayFixture.withGateway(configure: Self.configure) { client in
            try await Self.postCataract(client)
            let operatorHeaders: HTTPFields = [.authorization: "Bearer \(GatewayFixture.operatorToken)"]
            let all = try await client.execute(uri: "/measures", method: .get, headers: operatorHeaders)
            #expect(all.status == .ok)
            let rows = try Self.rows(all)
            #expect(rows.map { $0["partner"] as? String } == [nil, "eyecare"])
            let row = try #require(rows.first)
            #expect(row["serviceLine"] as? String == "ophthalmology.cataract")
            #expect(row["episodes"] as? Int == 1)
            // Authored 10:30, accepted 09:14 the next day (-05:00): 22 h 44 min.
            let turnaround = (row["referralTurnaround"] as? [String: Any])?["p50"] as? Double
            #expect(abs((turnaround ?? 0) - (22 + 44.0 / 60)) < 0.001)
            #expect((row["reportTimeliness"] as? [String: Any])?["onTime"] as? Int == 1)
            // No timer ran: nothing is overdue yet.
            #expect((row["openOverdue"] as? [String: Any])?["activities"] as? Int == 0)

            let partner: HTTPFields = [.authorization: "Bearer \(Self.partnerToken)"]
            let own = try await client.execute(uri: "/measures", method: .get, headers: partner)
            #expect(own.status == .ok)
            #expect(try Self.rows(own).map { $0["partner"] as? String } == ["eyecare"])
            let other = try await client.execute(uri: "/measures?partner=cardiac-watch", method: .get, headers: partner)
            #expect(other.status == .forbidden)
            let sender = try await client.execute(
                uri: "/measures",
                method: .get,
                headers: GatewayFixture.headers(.json)
            )
            #expect(sender.status == .forbidden)
            let bad = try await client.execute(uri: "/measures?from=yesterday", method: .get, headers: operatorHeaders)
            #expect(bad.status == .badRequest)
            let outcome = try GatewayFixture.resource(bad, .json)
            #expect(outcome.type == "OperationOutcome")
            #expect(outcome.children(named: "issue").first?.string("diagnostics")?.contains("from") == true)
            let later = try await client.execute(
                uri: "/measures?from=2026-04-01",
                method: .get,
                headers: operatorHeaders
            )
            #expect(try Self.rows(later).isEmpty)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func theFHIRFormIsABundleOfValidMeasureReports(format: WireFormat) async throws {
        try await GatewayFixture.withGateway(configure: Self.configure) { client in
            try await Self.postCataract(client)
            let response = try await client.execute(
                uri: "/measures?_format=\(format == .json ? "json" : "xml")",
                method: .get,
                headers: [.authorization: "Bearer \(GatewayFixture.operatorToken)"]
            )
            #expect(response.status == .ok)
            let bundle = try GatewayFixture.resource(response, format)
            #expect(bundle.type == "Bundle")
            let outcome = Validator.validate(bundle)
            #expect(!outcome.hasErrors, "\(outcome)")
            let reports = bundle.children(named: "entry").compactMap { $0.child("resource") }
            #expect(reports.count == 2)
            let report = try #require(reports.first)
            #expect(report.string("type") == "summary")
            let groups = report.children(named: "group")
            let turnaround = try #require(
                groups.first { $0.child("code")?.child("coding")?.string("code") == "referral-turnaround-p50" }
            )
            #expect(turnaround.child("measureScore")?.string("value") == "22.733")
            #expect(turnaround.child("measureScore")?.string("code") == "h")
            let onTime = groups.first { $0.child("code")?.child("coding")?.string("code") == "reports-on-time" }
            #expect(onTime?.child("population")?.string("count") == "1")
        }
    }
}
