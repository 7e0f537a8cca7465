import FHIRCore
public import Hummingbird
import Logging

/// Authenticates the sender from `Authorization: Bearer TOKEN`; 401 without a known token.
///
/// Which resource types the sender may write is checked by the routes, which know the types.
public struct SenderAuthenticationMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext

    let senders: SenderDirectory

    public init(senders: SenderDirectory) {
        self.senders = senders
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
        guard let sender = self.senders.sender(forToken: parts[1].trimmingWhitespace()) else {
            throw Self.unauthorized("the bearer token is not known")
        }
        var context = context
        context.sender = sender
        context.logger[metadataKey: "tandem.sender"] = .string(sender.name)
        return try await next(request, context)
    }

    static func unauthorized(_ message: String) -> FHIRError {
        FHIRError(.unauthorized, .login, message, headers: [.wwwAuthenticate: #"Bearer realm="tandem""#])
    }
}
