import FHIRCore
import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Sets the correlation id, the response format and the public FHIR base on the context, and logs one line
/// per request.
///
/// The log line holds method, route, status, sender and correlation id: never bodies, query strings or
/// anything else that may carry patient data.
public struct RequestLoggingMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext

    /// The configured public FHIR base (``GatewaySettings/baseURL``); nil derives it from each request.
    let publicBase: String?

    public init(publicBase: String? = nil) {
        self.publicBase = publicBase.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        // Hummingbird's own request id when the client sent none (absent when routes are tested in process).
        let correlationID =
            request.headers[.requestID].map { String($0.prefix(64)) }
            ?? context.logger[metadataKey: "hb.request.id"]?.description ?? UUID().uuidString.lowercased()
        context.correlationID = correlationID
        context.responseFormat = FormatNegotiation.responseFormat(for: request)
        context.fhirBase = self.publicBase ?? ResourceResponse.origin(request) + "/fhir"
        context.logger[metadataKey: "tandem.correlation"] = .string(correlationID)
        let route = context.endpointPath ?? request.uri.path
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = correlationID
            context.logger.info(
                "request",
                metadata: [
                    "tandem.route": .string("\(request.method) \(route)"),
                    "tandem.status": .stringConvertible(response.status.code),
                ]
            )
            return response
        } catch {
            let converted = FHIRError(converting: error)
            var headers = converted.headers
            headers[.requestID] = correlationID
            context.logger.info(
                "request failed",
                metadata: [
                    "tandem.route": .string("\(request.method) \(route)"),
                    "tandem.status": .stringConvertible(converted.status.code),
                ]
            )
            throw FHIRError(converted.status, outcome: converted.outcome, headers: headers)
        }
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`, the correlation id interface engines send and expect back.
    static let requestID = HTTPField.Name("X-Request-ID")!
}
