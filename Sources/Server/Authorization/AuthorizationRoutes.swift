import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import NIOCore

/// SMART Backend Services on the gateway: discovery (`/.well-known/smart-configuration`, also under the
/// FHIR base where SMART clients look for it), the public signing keys (`/.well-known/jwks.json`) and
/// the token endpoint (`POST /auth/token`).
struct AuthorizationRoutes: Sendable {
    let tokens: TokenService

    static let maximumFormBytes = 32 * 1024

    func register(on router: Router<GatewayRequestContext>, tokenGroup: RouterGroup<GatewayRequestContext>) {
        router.get(".well-known/smart-configuration", use: self.configuration)
        router.get("fhir/.well-known/smart-configuration", use: self.configuration)
        router.get(".well-known/jwks.json", use: self.jwks)
        tokenGroup.post("token", use: self.token)
    }

    @Sendable func configuration(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let settings = self.tokens.settings
        let document: [String: Any] = [
            "issuer": settings.issuer,
            "jwks_uri": settings.jwksURI,
            "token_endpoint": settings.tokenEndpoint,
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": Client.algorithms.sorted(),
            "scopes_supported": ["system/*.cruds", "system/*.rs", "system/*.read", "system/*.write"],
            "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
        ]
        return Self.json(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }

    @Sendable func jwks(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let keys = try await self.tokens.keys.publicKeys(at: Date())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var response = Self.json(try encoder.encode(keys))
        // Clients may cache the keys briefly; a new key is published an overlap before it is used.
        response.headers[.cacheControl] = "public, max-age=300"
        return response
    }

    /// `POST /auth/token` (application/x-www-form-urlencoded). Refusals are OAuth errors, not
    /// OperationOutcomes (RFC 6749 §5.2).
    @Sendable func token(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let form: TokenService.Request
        do {
            form = try await Self.form(request)
        } catch let error as OAuthError {
            return error.response
        }
        do {
            let issued = try await self.tokens.issue(form, now: Date())
            context.access.note(client: issued.client)
            let body: [String: Any] = [
                "access_token": issued.accessToken,
                "token_type": "bearer",
                "expires_in": issued.expiresIn,
                "scope": issued.scopes.map(\.description).joined(separator: " "),
            ]
            var response = Self.json(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
            response.headers[.cacheControl] = "no-store"
            response.headers[.pragma] = "no-cache"
            return response
        } catch let error as OAuthError {
            context.access.note(detail: "\(error.code.rawValue): \(error.description)")
            return error.response
        }
    }

    /// The form fields, from a body of at most ``maximumFormBytes``.
    private static func form(_ request: Request) async throws -> TokenService.Request {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw OAuthError(.invalidRequest, "the body must be application/x-www-form-urlencoded")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumFormBytes)
        } catch {
            throw OAuthError(.invalidRequest, "the body is larger than \(Self.maximumFormBytes) bytes")
        }
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else {
                throw OAuthError(.invalidRequest, "the body is not a valid form")
            }
            guard fields[name] == nil else { throw OAuthError(.invalidRequest, "\(name) is given twice") }
            fields[name] = parts.count == 2 ? Self.decode(parts[1]) : ""
        }
        return TokenService.Request(
            grantType: fields["grant_type"],
            scope: fields["scope"],
            assertionType: fields["client_assertion_type"],
            assertion: fields["client_assertion"]
        )
    }

    /// A form component: `+` is a space, then percent-decoding.
    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    private static func json(_ data: Data) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

extension HTTPField.Name {
    static let pragma = HTTPField.Name("Pragma")!
}
