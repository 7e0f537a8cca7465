import CryptoExtras
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Server

/// A SMART Backend Services client registered with the test gateway: its keys (ES384 and RS384), its
/// registration, and the assertions and token requests it sends.
struct SMARTClientFixture: Sendable {
    static let issuer = "https://tandem.test"
    static let tokenEndpoint = issuer + "/auth/token"
    static let clientID = "eyecare-app"

    /// The claims of a client assertion, as a client signs them.
    struct Assertion: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var jti: IDClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    let ecKey = ES384PrivateKey()
    let rsaKey: JWTKit.Insecure.RSA.PrivateKey

    /// One RSA key for every test: generating one takes seconds of CPU in a debug build, and the suites run
    /// beside others that start servers against a deadline.
    private static let sharedRSAKey = Result {
        try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    init() throws {
        self.rsaKey = try Self.sharedRSAKey.get()
    }

    /// The client as the gateway registers it: a partner, at most `system/*.rs`, with both public keys.
    func registration() throws -> Client {
        let ec = try require_(self.ecKey.parameters)
        let rsa = try self.rsaKey.publicKey.getKeyPrimitives()
        let jwks = JWKS(keys: [
            .ecdsa(.es384, identifier: "es", x: ec.x, y: ec.y, curve: .p384),
            .rsa(
                .rs384,
                identifier: "rs",
                modulus: Self.base64URL(rsa.modulus),
                exponent: Self.base64URL(rsa.publicExponent)
            ),
        ])
        return Client(
            id: Self.clientID,
            role: .partner(PartnerAccount(id: "eyecare", tokenHash: "", represents: [])),
            scopes: [Scope("system/*.rs")!],
            jwks: jwks
        )
    }

    /// Registers the client and names the gateway's issuer.
    func configure(_ settings: inout GatewaySettings) {
        settings.clients = [(try? self.registration())].compactMap { $0 }
        settings.authorization = AuthorizationSettings(issuer: Self.issuer)
    }

    /// Runs `body` against a test gateway with this client registered.
    func withGateway(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await GatewayFixture.withGateway(configure: { self.configure(&$0) }, body)
    }

    /// A signed assertion; `kid` picks the key ("es" or "rs"), the rest can be spoilt one at a time.
    func assertion(
        kid: String = "es",
        audience: String = SMARTClientFixture.tokenEndpoint,
        expiresIn: TimeInterval = 240,
        jti: String = UUID().uuidString,
        signedBy other: ES384PrivateKey? = nil
    ) async throws -> String {
        let keys = JWTKeyCollection()
        if let other {
            await keys.add(ecdsa: other, kid: "es")
        } else if kid == "rs" {
            await keys.add(rsa: self.rsaKey, digestAlgorithm: .sha384, kid: "rs")
        } else {
            await keys.add(ecdsa: self.ecKey, kid: JWKIdentifier(string: kid))
        }
        let claims = Assertion(
            iss: IssuerClaim(value: Self.clientID),
            sub: SubjectClaim(value: Self.clientID),
            aud: AudienceClaim(value: [audience]),
            exp: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)),
            jti: IDClaim(value: jti)
        )
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// `POST /auth/token` with a client-credentials form.
    static func requestToken(
        _ client: any TestClientProtocol,
        assertion: String,
        scope: String = "system/*.rs"
    ) async throws -> TestResponse {
        let form = [
            ("grant_type", "client_credentials"), ("scope", scope),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ].map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $1)" }
        return try await client.execute(
            uri: "/auth/token",
            method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: form.joined(separator: "&"))
        )
    }

    /// The JSON object of a response.
    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// `#require` for a throwing context outside a test function.
private func require_<T>(_ value: T?) throws -> T {
    guard let value else { throw FixtureError() }
    return value
}

private struct FixtureError: Error {}
