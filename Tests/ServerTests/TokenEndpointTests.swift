import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Server
import Testing

/// SMART Backend Services at the token endpoint: which assertions get a token, and what the token allows.
@Suite struct TokenEndpointTests {
    enum Spoilt: String, CaseIterable, Sendable {
        case expired, wrongAudience, unknownKey, unregisteredKeyID, tooLongLived
    }

    @Test(arguments: ["es", "rs"])
    func validAssertionGetsATokenThatReadsWhatThePartnerMay(kid: String) async throws {
        let smart = try SMARTClientFixture()
        try await smart.withGateway { client in
            let answer = try await SMARTClientFixture.requestToken(
                client,
                assertion: try await smart.assertion(kid: kid),
                scope: "system/*.rs system/Patient.c"
            )
            #expect(answer.status == .ok)
            #expect(answer.headers[.cacheControl] == "no-store")
            let body = SMARTClientFixture.json(answer)
            #expect(body["scope"] as? String == "system/*.rs", "a scope beyond the registration is not granted")
            #expect(body["token_type"] as? String == "bearer")
            let token = try #require(body["access_token"] as? String)
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            let episodes = try await client.execute(uri: "/episodes", method: .get, headers: bearer)
            #expect(episodes.status == .ok)
            let write = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: GatewayFixture.headers(.json, token: token),
                body: GatewayFixture.patient(.json)
            )
            #expect(write.status == .forbidden, "a partner's token never writes")
            let audit = try await client.execute(uri: "/fhir/AuditEvent", method: .get, headers: bearer)
            #expect(audit.status == .forbidden)
        }
    }

    @Test(arguments: Spoilt.allCases)
    func spoiltAssertionIsRefusedAsInvalidClient(_ spoilt: Spoilt) async throws {
        let smart = try SMARTClientFixture()
        try await smart.withGateway { client in
            let assertion =
                switch spoilt {
                case .expired: try await smart.assertion(expiresIn: -60)
                case .wrongAudience: try await smart.assertion(audience: "https://elsewhere.test/token")
                case .unknownKey: try await smart.assertion(signedBy: ES384PrivateKey())
                case .unregisteredKeyID: try await smart.assertion(kid: "nobody")
                case .tooLongLived: try await smart.assertion(expiresIn: 3600)
                }
            let answer = try await SMARTClientFixture.requestToken(client, assertion: assertion)
            #expect(answer.status == .unauthorized)
            #expect(SMARTClientFixture.json(answer)["error"] as? String == "invalid_client")
        }
    }

    @Test func replayedAssertionIsRefused() async throws {
        let smart = try SMARTClientFixture()
        try await smart.withGateway { client in
            let assertion = try await smart.assertion()
            #expect(try await SMARTClientFixture.requestToken(client, assertion: assertion).status == .ok)
            let again = try await SMARTClientFixture.requestToken(client, assertion: assertion)
            #expect(again.status == .unauthorized)
            #expect(SMARTClientFixture.json(again)["error"] as? String == "invalid_client")
        }
    }

    @Test func scopeTheClientMayNotHaveIsInvalidScope() async throws {
        let smart = try SMARTClientFixture()
        try await smart.withGateway { client in
            let answer = try await SMARTClientFixture.requestToken(
                client,
                assertion: try await smart.assertion(),
                scope: "system/*.c"
            )
            #expect(answer.status == .badRequest)
            #expect(SMARTClientFixture.json(answer)["error"] as? String == "invalid_scope")
        }
    }

    @Test func narrowScopeKeepsTheTokenFromEpisodes() async throws {
        let smart = try SMARTClientFixture()
        try await smart.withGateway { client in
            let answer = try await SMARTClientFixture.requestToken(
                client,
                assertion: try await smart.assertion(),
                scope: "system/Patient.r"
            )
            let token = try #require(SMARTClientFixture.json(answer)["access_token"] as? String)
            let episodes = try await client.execute(
                uri: "/episodes",
                method: .get,
                headers: [.authorization: "Bearer \(token)"]
            )
            #expect(episodes.status == .forbidden)
            #expect(episodes.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
        }
    }

    @Test func discoveryAndKeysArePublished() async throws {
        let smart = try SMARTClientFixture()
        try await smart.withGateway { client in
            let configuration = SMARTClientFixture.json(
                try await client.execute(uri: "/.well-known/smart-configuration", method: .get)
            )
            #expect(configuration["token_endpoint"] as? String == SMARTClientFixture.tokenEndpoint)
            #expect((configuration["capabilities"] as? [String])?.contains("client-confidential-asymmetric") == true)
            let jwks = SMARTClientFixture.json(try await client.execute(uri: "/.well-known/jwks.json", method: .get))
            let keys = try #require(jwks["keys"] as? [[String: Any]])
            #expect(!keys.isEmpty && keys.allSatisfy { $0["d"] == nil && $0["kid"] != nil })
        }
    }

    @Test(arguments: [
        ("system/*.rs", "system/*.rs"), ("system/Patient.read", "system/Patient.rs"), ("system/*.*", "system/*.cruds"),
        ("patient/*.rs", nil), ("system/Observation.rs?category=vital-signs", nil), ("system/*.sc", nil),
    ])
    func scopesAreReadInV2AndV1Syntax(text: String, expected: String?) {
        #expect(Scope(text)?.description == expected)
    }

    @Test func scopesNarrowTheRoleAndNeverWidenIt() {
        let partner = Principal.Role.partner(PartnerAccount(id: "p", tokenHash: "", represents: []))
        let granted = Grant.narrowing(
            requested: Scope.list("system/*.cruds system/Patient.rs"),
            registered: [Scope("system/*.rs")!],
            role: partner
        )
        #expect(granted.map(\.description) == ["system/*.rs", "system/Patient.rs"])
        #expect(!Grant(scopes: granted).permits(.create, on: "Patient"))
        #expect(Grant(scopes: [Scope("system/Patient.r")!]).permits(.read, on: "Patient"))
        #expect(!Grant(scopes: [Scope("system/Patient.r")!]).permits(.read, on: "Observation"))
    }
}
