import Foundation
import JWTKit
import Server
import Testing

@testable import tandem

/// The security keys of the serve configuration: SMART clients, TLS, the token issuer, limits.
@Suite struct SecurityConfigurationTests {
    /// A JWKS with one real ES384 public key.
    static let jwks: String = {
        let parameters = ES384PrivateKey().parameters!
        return
            #"{"keys":[{"kty":"EC","crv":"P-384","kid":"k1","alg":"ES384","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
    }()

    static func configuration(_ extra: String, senderHash: Bool = true) throws -> ServeConfiguration {
        let hash = senderHash ? #","tokenHash":"\#(String(repeating: "a", count: 64))""# : ""
        let json = """
            {"senders":[{"name":"hospital","allowedTypes":["*"]\(hash)}],
             "partners":[{"id":"eyecare","endpoint":"http://127.0.0.1:9/n","represents":["urn:org|eye"]}],
             "operators":[{"name":"ops","tokenHash":"\(String(repeating: "b", count: 64))"}]\(extra)}
            """
        return try ServeConfiguration.decode(Array(json.utf8))
    }

    @Test func clientsTLSAuthorizationAndLimitsAreRead() throws {
        let configuration = try Self.configuration(
            """
            ,"clients":[{"clientId":"eyecare-app","partner":"eyecare","scopes":["system/*.rs"],"jwks":\(Self.jwks)}],
             "tls":{"certificate":"s.pem","key":"s.key","clientCA":"ca.pem",
                    "clientCertificates":[{"sender":"hospital","commonName":"engine"}]},
             "authorization":{"issuer":"https://tandem.example.org/","tokenLifetime":"2m"},
             "limits":{"requestsPerSecond":5,"burst":10,"requestTimeout":"5s","maximumConcurrentRequests":0}
            """
        )
        let client = try #require(configuration.clients.first)
        #expect(client.id == "eyecare-app" && client.scopes.map(\.description) == ["system/*.rs"])
        guard case .partner(let account) = client.role else {
            Issue.record("the client acts as the partner")
            return
        }
        #expect(account.id == "eyecare" && account.represents == ["urn:org|eye"])
        #expect(configuration.tls == ListenerTLS(certificate: "s.pem", key: "s.key", clientCA: "ca.pem"))
        #expect(configuration.certificateSenders.first?.sender.name == "hospital")
        let settings = configuration.gatewaySettings
        #expect(settings.authorization.issuer == "https://tandem.example.org")
        #expect(settings.authorization.tokenEndpoint == "https://tandem.example.org/auth/token")
        #expect(settings.authorization.tokenLifetime == .seconds(120))
        #expect(settings.limits.requestsPerSecond == 5 && settings.limits.burst == 10)
        #expect(settings.limits.requestTimeout == .seconds(5) && settings.limits.maximumConcurrentRequests == 0)
    }

    @Test func theIssuerDefaultsToTheBaseURLOrTheListener() throws {
        #expect(try Self.configuration("").effectiveIssuer == "http://127.0.0.1:8080")
        #expect(
            try Self.configuration(#","baseURL":"https://gw.example/fhir""#).effectiveIssuer == "https://gw.example"
        )
        let tls = try Self.configuration(#","tls":{"certificate":"s.pem","key":"s.key"}"#)
        #expect(tls.effectiveIssuer == "https://127.0.0.1:8080")
    }

    @Test(arguments: [
        #","clients":[{"clientId":"a","partner":"nobody","jwks":{"keys":[]}}]"#,
        #","clients":[{"clientId":"a","partner":"eyecare","scopes":["patient/*.rs"],"jwks":\#(jwks)}]"#,
        #","clients":[{"clientId":"a","partner":"eyecare","sender":"hospital","jwks":\#(jwks)}]"#,
        #","clients":[{"clientId":"a","partner":"eyecare","jwks":{"keys":[]}}]"#,
        #","clients":[{"clientId":"a","partner":"eyecare","jwksFile":"/nonexistent/jwks.json"}]"#,
        #","clients":[{"clientId":"a","partner":"eyecare","jwks":{"keys":[{"kty":"EC","crv":"P-384","kid":"k","x":"AAAA","y":"AAAA"}]}}]"#,
        #","tls":{"certificate":"s.pem","key":"s.key","clientCertificates":[{"sender":"hospital","commonName":"x"}]}"#,
        #","tls":{"certificate":"s.pem","key":"s.key","clientCA":"c","clientCertificates":[{"sender":"hospital"}]}"#,
        #","tls":{"certificate":"s.pem","key":"s.key","cipher":"x"}"#,
        #","limits":{"burst":0}"#,
        #","limits":{"requestTimeout":"0s"}"#,
        #","authorization":{"tokenLifetime":"2h"}"#,
    ])
    func unusableSecuritySettingsAreRefused(extra: String) {
        #expect(throws: ConfigurationError.self) { try Self.configuration(extra) }
    }

    @Test func anAccountWithoutATokenNeedsAnotherCredential() throws {
        #expect(throws: ConfigurationError.self) { try Self.configuration("", senderHash: false) }
        let byCertificate = try Self.configuration(
            #","tls":{"certificate":"s","key":"k","clientCA":"c","clientCertificates":[{"sender":"hospital","fingerprint":"AB:CD"}]}"#,
            senderHash: false
        )
        #expect(byCertificate.certificateSenders.first?.fingerprint == "abcd")
        #expect(byCertificate.gatewaySettings.senders.first?.tokenHash == "")
    }
}
