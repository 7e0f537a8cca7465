import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error of the token endpoint, answered as OAuth 2.0 asks (RFC 6749 §5.2, which SMART Backend Services
/// follows): JSON with `error` and `error_description`, 400, or 401 for `invalid_client`.
struct OAuthError: Error, Sendable {
    enum Code: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unsupportedGrantType = "unsupported_grant_type"
        case invalidScope = "invalid_scope"
    }

    var code: Code
    /// What was wrong, for the client's developer; never a secret or a key.
    var description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    var status: HTTPResponse.Status { self.code == .invalidClient ? .unauthorized : .badRequest }

    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if self.code == .invalidClient { headers[.wwwAuthenticate] = #"Bearer realm="tandem""# }
        let object: [String: String] = ["error": self.code.rawValue, "error_description": self.description]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
