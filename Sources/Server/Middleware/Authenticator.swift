import Foundation
import Hummingbird

/// Finds who a request acts for: a bearer token (an access token from `POST /auth/token`, or a static token
/// whose hash is configured), or else the client certificate of a mutual-TLS connection mapped to a
/// sender.
///
/// It refuses nothing itself: ``AccessMiddleware`` rate-limits first, then audits and answers the refusal.
struct Authenticator: Sendable {
    let credentials: Credentials
    let tokens: TokenService

    /// The principal, or the 401 to answer.
    func authenticate(_ request: Request, context: GatewayRequestContext) async -> Result<Principal, FHIRError> {
        let snapshot = self.credentials.snapshot
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .failure(AuthenticationMiddleware.unauthorized("the Authorization header is not a bearer token"))
            }
            let token = parts[1].trimmingWhitespace()
            if JOSEHeader.looksLikeJWS(token) {
                do {
                    return .success(try await self.tokens.principal(forAccessToken: token, now: Date()))
                } catch {
                    return .failure(AuthenticationMiddleware.unauthorized(error.reason, error: "invalid_token"))
                }
            }
            guard let principal = snapshot.principals.principal(forToken: token) else {
                return .failure(AuthenticationMiddleware.unauthorized("the bearer token is not known"))
            }
            return .success(principal)
        }
        if !snapshot.certificateSenders.isEmpty, let certificate = await PeerCertificate.of(context.channel) {
            guard
                let mapping = snapshot.certificateSenders.first(where: {
                    $0.matches(commonNames: certificate.commonNames, fingerprint: certificate.fingerprint)
                })
            else {
                return .failure(
                    AuthenticationMiddleware.unauthorized("the client certificate is not mapped to a sender")
                )
            }
            return .success(Principal(.sender(mapping.sender), credential: .certificate))
        }
        return .failure(AuthenticationMiddleware.unauthorized("the request has no bearer token"))
    }
}
