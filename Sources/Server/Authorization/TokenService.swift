import Foundation
import JWTKit
import Store

/// SMART Backend Services' token exchange and the check of the access tokens it issues.
///
/// A client posts `grant_type=client_credentials`, the scopes it wants, and a JWT assertion signed with
/// one of its registered keys (`private_key_jwt`); it gets a short-lived access token signed with the
/// gateway's current key. Every later request's token is verified against the keys in the store and the
/// client's registration as it is now.
struct TokenService: Sendable {
    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    let credentials: Credentials
    let keys: SigningKeyRing
    let store: any AuthorizationStore
    let settings: AuthorizationSettings

    /// What the token endpoint answers on success.
    struct Issued: Sendable {
        var client: Client
        var accessToken: String
        var scopes: [Scope]
        var expiresIn: Int
    }

    /// The form fields of `POST /auth/token`.
    struct Request: Sendable {
        var grantType: String?
        var scope: String?
        var assertionType: String?
        var assertion: String?
    }

    /// Checks the request and its assertion, records the assertion's `jti`, and signs an access token.
    ///
    /// - Throws: ``OAuthError`` for every refusal; infrastructure errors (the store) as they come.
    func issue(_ request: Request, now: Date) async throws -> Issued {
        guard request.grantType == "client_credentials" else {
            throw OAuthError(.unsupportedGrantType, "grant_type must be client_credentials")
        }
        guard request.assertionType == Self.assertionType, let assertion = request.assertion else {
            throw OAuthError(.invalidClient, "a private_key_jwt client assertion (\(Self.assertionType)) is required")
        }
        guard let scopeText = request.scope, !scopeText.isEmpty else {
            throw OAuthError(.invalidRequest, "scope is required")
        }
        let (client, claims) = try await self.verify(assertion, now: now)
        let granted = Grant.narrowing(requested: Scope.list(scopeText), registered: client.scopes, role: client.role)
        guard !granted.isEmpty else {
            throw OAuthError(.invalidScope, "none of the requested scopes may be granted to this client")
        }
        // Last, so that a refused request does not use up the assertion.
        guard
            try await self.store.recordAssertion(
                client: client.id,
                jti: claims.jti?.value ?? "",
                expiresAt: claims.exp.value,
                now: now
            )
        else {
            throw OAuthError(.invalidClient, "the assertion's jti was used before")
        }
        let lifetime = Int(self.settings.tokenLifetime.components.seconds)
        let token = AccessToken(
            iss: IssuerClaim(value: self.settings.issuer),
            sub: SubjectClaim(value: client.id),
            aud: AudienceClaim(value: [self.settings.fhirBase]),
            exp: ExpirationClaim(value: now.addingTimeInterval(Double(lifetime))),
            iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: UUID().uuidString.lowercased()),
            scope: granted.map(\.description).joined(separator: " ")
        )
        let (keys, kid) = try await self.keys.signingKey(at: now)
        let signed = try await keys.sign(token, kid: JWKIdentifier(string: kid))
        return Issued(client: client, accessToken: signed, scopes: granted, expiresIn: lifetime)
    }

    /// The client an assertion is from, with its claims, once its signature and claims hold.
    private func verify(_ assertion: String, now: Date) async throws -> (Client, ClientAssertion) {
        guard assertion.utf8.count <= 16 * 1024, let header = JOSEHeader(token: assertion) else {
            throw OAuthError(.invalidClient, "client_assertion is not a JWT")
        }
        guard let algorithm = header.algorithm, Client.algorithms.contains(algorithm) else {
            throw OAuthError(.invalidClient, "the assertion must be signed with RS384 or ES384")
        }
        let unverified: ClientAssertion
        do {
            unverified = try await JWTKeyCollection().unverified(assertion, as: ClientAssertion.self)
        } catch {
            throw OAuthError(.invalidClient, "the assertion lacks iss, sub, aud or exp")
        }
        guard let client = self.credentials.snapshot.clients[unverified.iss.value] else {
            throw OAuthError(.invalidClient, "the client is not registered")
        }
        let keyIDs = client.keyIDs
        guard let kid = header.keyID ?? (keyIDs.count == 1 ? keyIDs.first : nil), keyIDs.contains(kid) else {
            throw OAuthError(.invalidClient, "the assertion's kid names no key registered for the client")
        }
        let keys = JWTKeyCollection()
        let claims: ClientAssertion
        do {
            for jwk in client.jwks.keys where jwk.keyIdentifier?.string == kid {
                try await keys.add(jwk: jwk)
            }
            claims = try await keys.verify(assertion, as: ClientAssertion.self)
        } catch {
            throw OAuthError(.invalidClient, "the assertion's signature does not verify with the client's key")
        }
        try claims.check(
            client: client.id,
            tokenEndpoint: self.settings.tokenEndpoint,
            now: now,
            maximumLifetime: self.settings.assertionLifetime
        )
        return (client, claims)
    }

    /// Why an access token is refused, for the 401's diagnostics.
    struct Refusal: Error, Sendable {
        var reason: String
    }

    /// The principal an access token stands for: the client's account, with the token's scopes narrowed
    /// again to the client's registration as it is now.
    ///
    /// - Throws: ``Refusal`` for a token that is malformed, signed by no valid key, expired, for another
    ///   audience or issuer, or of a client no longer registered.
    func principal(forAccessToken token: String, now: Date) async throws(Refusal) -> Principal {
        guard let header = JOSEHeader(token: token), header.algorithm == SigningKeyRing.algorithm,
            let kid = header.keyID
        else { throw Refusal(reason: "the access token is not one this gateway issues") }
        let claims: AccessToken
        do {
            guard let keys = try await self.keys.verificationKeys(for: kid, at: now) else {
                throw Refusal(reason: "the access token's key is not known or no longer valid")
            }
            claims = try await keys.verify(token, as: AccessToken.self)
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal(reason: "the access token is invalid or expired")
        }
        guard claims.iss.value == self.settings.issuer, claims.aud.value.contains(self.settings.fhirBase) else {
            throw Refusal(reason: "the access token is for another audience")
        }
        guard let client = self.credentials.snapshot.clients[claims.sub.value] else {
            throw Refusal(reason: "the access token's client is no longer registered")
        }
        let scopes = Grant.narrowing(requested: Scope.list(claims.scope), registered: client.scopes, role: client.role)
        return Principal(client.role, grant: Grant(scopes: scopes), credential: .accessToken, client: client.id)
    }
}
