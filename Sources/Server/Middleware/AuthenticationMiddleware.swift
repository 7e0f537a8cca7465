import FHIRCore
public import Hummingbird
import Logging

/// Authenticates the caller from `Authorization: Bearer TOKEN`; 401 without a known token.
///
/// What the principal may write and read is checked by the routes, which know the resources.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext

    let principals: PrincipalDirectory

    public init(principals: PrincipalDirectory) {
        self.principals = principals
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let authorization = request.headers[.authorization] else {
            throw Self.unauthorized("the request has no bearer token")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthorized("the Authorization header is not a bearer token")
        }
        guard let principal = self.principals.principal(forToken: parts[1].trimmingWhitespace()) else {
            throw Self.unauthorized("the bearer token is not known")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "tandem.\(principal.roleName)"] = .string(principal.name)
        return try await next(request, context)
    }

    static func unauthorized(_ message: String) -> FHIRError {
        FHIRError(.unauthorized, .login, message, headers: [.wwwAuthenticate: #"Bearer realm="tandem""#])
    }
}
