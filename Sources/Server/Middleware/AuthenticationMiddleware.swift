import FHIRCore
import HTTPTypes

/// The 401 every authentication failure answers with.
enum AuthenticationMiddleware {
    /// 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3), naming the OAuth error when there is one.
    static func unauthorized(_ message: String, error: String? = nil) -> FHIRError {
        let challenge = error.map { #"Bearer realm="tandem", error="\#($0)""# } ?? #"Bearer realm="tandem""#
        return FHIRError(.unauthorized, .login, message, headers: [.wwwAuthenticate: challenge])
    }
}
