import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The frame of every `/console` response: security headers, and errors rendered as pages.
///
/// The console's pages load only what the gateway serves (`default-src 'self'`, no inline script or
/// style), are never cached or framed, and send no referrer. A ``ConsoleError`` becomes an error page with
/// its status; any other error a 500 page that says nothing of its cause (the log has it).
struct ConsolePages: RouterMiddleware {
    typealias Context = GatewayRequestContext

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as ConsoleError {
            response = ConsoleResponse.page(ErrorPage.render(error), status: error.status)
        } catch {
            context.logger.error("console request failed", metadata: ["tandem.error": "\(error)"])
            response = ConsoleResponse.page(
                ErrorPage.render(ConsoleError(.internalServerError, "The gateway could not answer this request.")),
                status: .internalServerError
            )
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
