import Foundation
import JWTKit

/// The claims of the access tokens `POST /auth/token` issues: short-lived JWTs signed with the gateway's
/// key (``SigningKeyRing``) and checked on every request.
///
/// The token names the client and its granted scopes, not its role: the role is looked up in the
/// configuration on each request, so a client removed or narrowed by a reload loses access at once.
struct AccessToken: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var jti: IDClaim
    /// The granted scopes, space-separated.
    var scope: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try self.exp.verifyNotExpired()
    }
}
