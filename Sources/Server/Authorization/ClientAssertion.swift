import Foundation
import JWTKit

/// The claims of a client's authentication JWT (SMART Backend Services, "Protocol details").
///
/// jwt-kit checks the signature; ``check(client:tokenEndpoint:now:maximumLifetime:)`` checks the claims
/// the specification asks for. The `jti` replay check needs the store and is the token endpoint's.
struct ClientAssertion: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var jti: IDClaim?

    /// The claims are checked in ``check(client:tokenEndpoint:now:maximumLifetime:)``, where the client and the
    /// endpoint are known.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// `iss` and `sub` are the client id, `aud` is the token endpoint, `exp` is in the future but at most
    /// `maximumLifetime` away, and a `jti` is present.
    func check(client: String, tokenEndpoint: String, now: Date, maximumLifetime: Duration) throws(OAuthError) {
        guard self.iss.value == client, self.sub.value == client else {
            throw OAuthError(.invalidClient, "iss and sub must both be the client_id")
        }
        guard self.aud.value.contains(tokenEndpoint) else {
            throw OAuthError(.invalidClient, "aud must be the token endpoint, \(tokenEndpoint)")
        }
        guard self.exp.value > now else { throw OAuthError(.invalidClient, "the assertion has expired") }
        // A little leeway for clocks that disagree.
        let latest = now.addingTimeInterval(Double(maximumLifetime.components.seconds) + 30)
        guard self.exp.value <= latest else {
            throw OAuthError(.invalidClient, "exp may be at most five minutes in the future")
        }
        guard let jti = self.jti?.value, !jti.isEmpty, jti.utf8.count <= 255 else {
            throw OAuthError(.invalidClient, "the assertion needs a jti of at most 255 bytes")
        }
    }
}
