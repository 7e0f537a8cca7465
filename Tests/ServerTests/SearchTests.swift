import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Search through the gateway's routes: parameters, paging, sorting, strictness, scope, chains and includes.
@Suite struct SearchTests {
    typealias F = GatewayFixture

    /// Posts `json` as the sender with `token`; the gateway id of what it created.
    @discardableResult
    static func post(
        _ client: any TestClientProtocol,
        _ type: String,
        _ json: String,
        token: String = F.token
    )
        async throws -> String
    {
        let response = try await client.execute(
            uri: "/fhir/\(type)",
            method: .post,
            headers: F.headers(.json, token: token),
            body: ByteBuffer(string: json)
        )
        #expect(response.status == .created || response.status == .ok, "\(String(buffer: response.body))")
        return try F.resource(response, .json).resourceID ?? ""
    }

    static func put(_ client: any TestClientProtocol, _ type: String, _ id: String, _ json: String) async throws {
        let response = try await client.execute(
            uri: "/fhir/\(type)/\(id)",
            method: .put,
            headers: F.headers(.json),
            body: ByteBuffer(string: json)
        )
        #expect(response.status == .created || response.status == .ok, "\(String(buffer: response.body))")
    }

    static func search(
        _ client: any TestClientProtocol,
        _ query: String,
        token: String = F.token,
        headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, bundle: Element) {
        let response = try await client.execute(
            uri: "/fhir/\(query)",
            method: .get,
            headers: F.headers(.json, token: token, extra: extra)
        )
        return (response.status, try F.resource(response, .json))
    }

    static func ids(_ bundle: Element, mode: String = "match") -> [String] {
        bundle.children(named: "entry").filter { $0.child("search")?.string("mode") == mode }
            .compactMap { $0.child("resource")?.resourceID }
    }

    static func link(_ bundle: Element, _ relation: String) -> String? {
        bundle.children(named: "link").first { $0.string("relation") == relation }?.string("url")
    }

    static func serviceRequest(
        _ identifier: String,
        status: String,
        patient: String = "p1",
        category: String? = nil
    )
        -> String
    {
        let category =
            category.map { #""category":[{"coding":[{"system":"http://snomed.info/sct","code":"\#($0)"}]}],"# } ?? ""
        return
            #"{"resourceType":"ServiceRequest","identifier":[{"system":"urn:oid:1.2.3","value":"\#(identifier)"}],"status":"\#(status)","intent":"order",\#(category)"subject":{"reference":"Patient/\#(patient)"}}"#
    }

    /// Three referrals of patient p1 (two active), one of p2; the sender's own ids resolve.
    static func seed(_ client: any TestClientProtocol) async throws {
        try await Self.put(
            client,
            "Patient",
            "p1",
            #"{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:mrn","value":"M-1"}],"name":[{"family":"Müller","given":["Ann"]}]}"#
        )
        try await Self.put(
            client,
            "Patient",
            "p2",
            #"{"resourceType":"Patient","id":"p2","identifier":[{"system":"urn:mrn","value":"M-2"}],"name":[{"family":"Okafor"}]}"#
        )
        try await Self.post(
            client,
            "ServiceRequest",
            Self.serviceRequest("SR-1", status: "active", category: "3457005")
        )
        try await Self.post(client, "ServiceRequest", Self.serviceRequest("SR-2", status: "active"))
        try await Self.post(client, "ServiceRequest", Self.serviceRequest("SR-3", status: "completed"))
        try await Self.post(client, "ServiceRequest", Self.serviceRequest("SR-4", status: "active", patient: "p2"))
    }

    @Test func searchesByTokenReferenceIdentifierAndCategory() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            #expect(try await Self.search(client, "ServiceRequest").bundle.string("total") == "4")
            #expect(try await Self.search(client, "ServiceRequest?status=active").bundle.string("total") == "3")
            #expect(
                try await Self.search(client, "ServiceRequest?status=active,completed").bundle.string("total") == "4"
            )
            // The sender's own id of its patient resolves to the gateway id its references were rewritten to.
            #expect(try await Self.search(client, "ServiceRequest?patient=Patient/p1").bundle.string("total") == "3")
            #expect(
                try await Self.search(client, "ServiceRequest?subject=p1&status=active").bundle.string("total") == "2"
            )
            #expect(
                try await Self.search(client, "ServiceRequest?identifier=urn:oid:1.2.3|SR-2").bundle.string("total")
                    == "1"
            )
            #expect(try await Self.search(client, "ServiceRequest?identifier=SR-3").bundle.string("total") == "1")
            #expect(try await Self.search(client, "ServiceRequest?category=3457005").bundle.string("total") == "1")
            #expect(
                try await Self.search(client, "ServiceRequest?category=http://snomed.info/sct|3457005").bundle.string(
                    "total"
                )
                    == "1"
            )
            #expect(try await Self.search(client, "ServiceRequest?intent=plan").bundle.string("total") == "0")
            #expect(try await Self.search(client, "Patient?_id=p2").bundle.string("total") == "1")
            // Names: a word's start, case and accents ignored.
            #expect(try await Self.search(client, "Patient?name=mull").bundle.string("total") == "1")
            #expect(try await Self.search(client, "Patient?name=OKA").bundle.string("total") == "1")
            #expect(try await Self.search(client, "Patient?name=ann%20mu").bundle.string("total") == "1")
        }
    }

    @Test func chainedPatientIdentifierAndIncludes() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            let chained = try await Self.search(
                client,
                "ServiceRequest?patient.identifier=urn:mrn|M-1&status=active&_include=ServiceRequest:subject"
            )
            #expect(chained.status == .ok)
            #expect(chained.bundle.string("total") == "2")
            #expect(Self.ids(chained.bundle).count == 2)
            let included = chained.bundle.children(named: "entry").filter {
                $0.child("search")?.string("mode") == "include"
            }
            #expect(included.count == 1, "the patient, once")
            #expect(included.first?.child("resource")?.type == "Patient")
            #expect(Self.link(chained.bundle, "self")?.contains("_include=ServiceRequest:subject") == true)
            #expect(
                try await Self.search(client, "ServiceRequest?patient.identifier=urn:mrn|nobody").bundle.string("total")
                    == "0"
            )
        }
    }

    @Test func pagesToTheEndWithAnOpaqueCursorInEitherOrder() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            for sort in ["_lastUpdated", "-_lastUpdated"] {
                var next: String? = "ServiceRequest?_count=1&_sort=\(sort)"
                var seen: [String] = []
                var times: [String] = []
                while let query = next {
                    let page = try await Self.search(client, query)
                    #expect(page.status == .ok)
                    #expect(page.bundle.string("total") == "4")
                    seen += Self.ids(page.bundle)
                    times += page.bundle.children(named: "entry").compactMap {
                        $0.child("resource")?.child("meta")?.string("lastUpdated")
                    }
                    next = Self.link(page.bundle, "next").map { String($0[$0.range(of: "/fhir/")!.upperBound...]) }
                }
                #expect(seen.count == 4 && Set(seen).count == 4, "\(seen)")
                #expect(times == (sort == "_lastUpdated" ? times.sorted() : times.sorted(by: >)))
            }
            let garbled = try await Self.search(client, "ServiceRequest?_cursor=bm9wZQ")
            #expect(garbled.status == .badRequest)
        }
    }

    @Test func lastUpdatedBoundsAndPrefixes() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            #expect(
                try await Self.search(client, "ServiceRequest?_lastUpdated=ge2000-01-01").bundle.string("total") == "4"
            )
            #expect(
                try await Self.search(client, "ServiceRequest?_lastUpdated=lt2000-01-01").bundle.string("total") == "0"
            )
            #expect(
                try await Self.search(client, "ServiceRequest?_lastUpdated=gt2000&_lastUpdated=le2999-12").bundle
                    .string("total")
                    == "4"
            )
            #expect(
                try await Self.search(client, "ServiceRequest?_lastUpdated=gt2999-01-01T00:00Z").bundle.string("total")
                    == "0"
            )
            let sa = try await Self.search(client, "ServiceRequest?_lastUpdated=sa2000-01-01")
            #expect(sa.status == .badRequest)
            #expect(sa.bundle.child("issue")?.string("diagnostics")?.contains("_lastUpdated") == true)
            #expect(try await Self.search(client, "ServiceRequest?_lastUpdated=2000-13").status == .badRequest)
        }
    }

    @Test func unknownParametersAreIgnoredUnlessStrict() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            let lenient = try await Self.search(client, "ServiceRequest?status=active&colour=blue&_count=2")
            #expect(lenient.status == .ok)
            #expect(lenient.bundle.string("total") == "3")
            #expect(Self.link(lenient.bundle, "self")?.hasSuffix("/fhir/ServiceRequest?status=active&_count=2") == true)
            let strict = try await Self.search(
                client,
                "ServiceRequest?status=active&colour=blue",
                headers: [HTTPField.Name("Prefer")!: "handling=strict"]
            )
            #expect(strict.status == .badRequest)
            #expect(strict.bundle.type == "OperationOutcome")
            #expect(strict.bundle.child("issue")?.string("diagnostics")?.contains("colour") == true)
            #expect(try await Self.search(client, "ServiceRequest?status:exact=active").status == .badRequest)
            #expect(try await Self.search(client, "ServiceRequest?_count=-1").status == .badRequest)
            #expect(try await Self.search(client, "Observation?code=x").status == .methodNotAllowed)
        }
    }

    @Test func resultsAreWhatTheCallerMayRead() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            // Another sender has none of them; the operator reads all.
            #expect(
                try await Self.search(client, "ServiceRequest", token: F.lakesideToken).bundle.string("total") == "0"
            )
            #expect(
                try await Self.search(client, "ServiceRequest", token: F.operatorToken).bundle.string("total") == "4"
            )
            #expect(try await Self.search(client, "ServiceRequest", token: "nobody").status == .unauthorized)
        }
    }

    @Test func postSearchTakesAFormBody() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            var headers = F.headers(.json)
            headers[.contentType] = "application/x-www-form-urlencoded"
            let response = try await client.execute(
                uri: "/fhir/ServiceRequest/_search?_count=10",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "status=active&patient=Patient%2Fp1")
            )
            #expect(response.status == .ok)
            let bundle = try F.resource(response, .json)
            #expect(bundle.string("total") == "2")
            #expect(Self.link(bundle, "self")?.contains("status=active") == true)
            headers[.contentType] = "application/fhir+json"
            let wrong = try await client.execute(uri: "/fhir/ServiceRequest/_search", method: .post, headers: headers)
            #expect(wrong.status == .unsupportedMediaType)
        }
    }

    @Test func theAuditTrailIsSearchedByAgentTypeOutcomeAndDate() async throws {
        try await F.withGateway { client in
            try await Self.seed(client)
            _ = try await Self.search(client, "AuditEvent")  // refused: a sender
            let ops = F.operatorToken
            let byAgent = try await Self.search(client, "AuditEvent?agent=st-marys&_count=2", token: ops)
            #expect(byAgent.status == .ok)
            let total = Int(byAgent.bundle.string("total") ?? "") ?? 0
            #expect(total >= 7, "six writes and a refused search")
            #expect(Self.link(byAgent.bundle, "next") != nil)
            let refused = try await Self.search(client, "AuditEvent?outcome=4", token: ops)
            #expect(refused.bundle.string("total") == "1")
            let unknown = try await Self.search(client, "AuditEvent?outcome=failed", token: ops)
            #expect(unknown.status == .badRequest)
            #expect(unknown.bundle.child("issue")?.string("diagnostics")?.contains("outcome") == true)
            #expect(try await Self.search(client, "AuditEvent?type=110106", token: ops).bundle.string("total") == "0")
            #expect(try await Self.search(client, "AuditEvent?date=lt2000", token: ops).bundle.string("total") == "0")
            let patient = try await Self.search(client, "Patient?_id=p1").bundle
            let id = try #require(Self.ids(patient).first)
            let entity = try await Self.search(client, "AuditEvent?entity=Patient/\(id)", token: ops)
            #expect(Int(entity.bundle.string("total") ?? "") ?? 0 >= 1)
            #expect(Validator.validate(byAgent.bundle).hasErrors == false)
        }
    }
}
