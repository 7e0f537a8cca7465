/// How the gateway issues and checks SMART Backend Services access tokens.
public struct AuthorizationSettings: Sendable, Hashable {
    /// The gateway's public origin (`https://tandem.example.org`): the token endpoint is `issuer/auth/token`
    /// (the `aud` client assertions must name), access tokens carry it as `iss`.
    public var issuer: String
    /// How long an access token is valid.
    public var tokenLifetime: Duration
    /// How long one signing key signs before the next takes over.
    public var keyRotation: Duration
    /// How long before its first use a key is published, and after its last use it is still accepted and
    /// published; at least ``tokenLifetime``, less than ``keyRotation``.
    public var keyOverlap: Duration
    /// The furthest in the future a client assertion's `exp` may be (SMART: five minutes).
    public var assertionLifetime: Duration

    public init(
        issuer: String = "http://127.0.0.1:8080",
        tokenLifetime: Duration = .seconds(300),
        keyRotation: Duration = .seconds(86_400),
        keyOverlap: Duration = .seconds(3_600),
        assertionLifetime: Duration = .seconds(300)
    ) {
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.tokenLifetime = tokenLifetime
        self.keyRotation = keyRotation
        self.keyOverlap = keyOverlap
        self.assertionLifetime = assertionLifetime
    }

    /// `issuer/auth/token`.
    public var tokenEndpoint: String { self.issuer + "/auth/token" }
    /// `issuer/fhir`: the audience of access tokens.
    public var fhirBase: String { self.issuer + "/fhir" }
    /// `issuer/.well-known/jwks.json`.
    public var jwksURI: String { self.issuer + "/.well-known/jwks.json" }
}
