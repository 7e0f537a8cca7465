import FHIRCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The CapabilityStatement promises nothing the routes refuse: every search parameter and `_include` it
/// lists is accepted under `Prefer: handling=strict` (where an unsupported one is a 400), and a type it
/// lists without `search-type` is not searched.
@Suite struct CapabilityStatementExactTests {
    typealias F = GatewayFixture

    /// A value of the parameter's type the search accepts (it need not match anything); the audit trail's
    /// codes are a closed set.
    static func value(_ type: String, _ name: String, _ kind: String) -> String {
        switch (type, name) {
        case ("AuditEvent", "type"): return "rest"
        case ("AuditEvent", "outcome"): return "0"
        default: break
        }
        return switch kind {
        case "reference": "Patient/x"
        case "date": "ge2020-01-01"
        case "string": "x"
        default: "x"
        }
    }

    @Test func everyListedSearchParameterAndIncludeIsAcceptedUnderStrictHandling() async throws {
        try await F.withGateway { client in
            let metadata = try await client.execute(
                uri: "/fhir/metadata",
                method: .get,
                headers: [.accept: WireFormat.json.mediaType]
            )
            let rest = try #require(try F.resource(metadata, .json).child("rest"))
            let strict: HTTPFields = [HTTPField.Name("Prefer")!: "handling=strict"]
            var searched = 0
            for resource in rest.children(named: "resource") {
                let type = try #require(resource.string("type"))
                let interactions = Set(resource.children(named: "interaction").compactMap { $0.string("code") })
                // The operator reads the audit trail and every Subscription; senders search the rest.
                let token = ["AuditEvent", "Subscription"].contains(type) ? F.operatorToken : F.token
                guard interactions.contains("search-type") else {
                    let refused = try await client.execute(
                        uri: "/fhir/\(type)?_id=x",
                        method: .get,
                        headers: F.headers(.json, token: token)
                    )
                    #expect(refused.status == .methodNotAllowed, "\(type) lists no search")
                    continue
                }
                var queries = resource.children(named: "searchParam").map { parameter in
                    let name = parameter.string("name") ?? ""
                    return "\(name)=\(Self.value(type, name, parameter.string("type") ?? ""))"
                }
                queries += resource.children(named: "searchInclude").compactMap(\.value)
                    .map { "_include=\($0)" }
                for query in queries {
                    let answer = try await client.execute(
                        uri: "/fhir/\(type)?\(query)",
                        method: .get,
                        headers: F.headers(.json, token: token, extra: strict)
                    )
                    #expect(answer.status == .ok, "\(type)?\(query): \(String(buffer: answer.body))")
                    #expect(try F.resource(answer, .json).string("type") == "searchset", "\(type)?\(query)")
                    searched += 1
                }
            }
            // 9 searchable types with their parameters, the audit trail and Subscription.
            #expect(searched > 60)
        }
    }
}
