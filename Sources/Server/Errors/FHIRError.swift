public import FHIRCore
public import HTTPTypes
public import Hummingbird
import NIOCore
import Store

/// The one error the HTTP edge answers with: an HTTP status and an ``Outcome``, written as an
/// OperationOutcome in the client's format.
///
/// Handlers throw it directly; ``FHIRErrorMiddleware`` converts everything else (store errors,
/// Hummingbird's own errors, body limits) into it, so no other code builds an error response.
public struct FHIRError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var outcome: Outcome
    /// Extra response headers (`WWW-Authenticate` on 401).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, outcome: Outcome, headers: HTTPFields = [:]) {
        self.status = status
        self.outcome = outcome
        self.headers = headers
    }

    /// An error with one issue of severity `error`.
    public init(
        _ status: HTTPResponse.Status,
        _ code: Issue.Code,
        _ message: String,
        path: String? = nil,
        headers: HTTPFields = [:]
    ) {
        self.init(status, outcome: Outcome([Issue(.error, code, path: path, message)]), headers: headers)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let format = FormatNegotiation.responseFormat(for: request)
        var headers = self.headers
        headers[.contentType] = format.mediaType + "; charset=utf-8"
        let body = ResourceCodec.write(self.outcome.resource, as: format)
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension FHIRError {
    /// Converts any error that reached the edge. Messages name types, ids and codes, never content.
    init(converting error: any Error) {
        switch error {
        case let error as FHIRError:
            self = error
        case let error as StoreError:
            self.init(storeError: error)
        case is NIOTooManyBytesError:
            self.init(.contentTooLarge, .tooCostly, "the request body is larger than the gateway accepts")
        case let error as any HTTPResponseError:
            self.init(httpStatus: error.status)
        case is CancellationError:
            self.init(.serviceUnavailable, .transient, "the request was cancelled")
        default:
            self.init(.internalServerError, .exception, "internal error")
        }
    }

    /// A store failure as the client may see it: the status and issue code its ``StoreError/Code`` means,
    /// and the store's ``StoreError/publicMessage`` or a fixed text. The store's own ``StoreError/message``
    /// (which may quote the database) is never shown.
    init(storeError error: StoreError) {
        let (status, code, text): (HTTPResponse.Status, Issue.Code, String) =
            switch error.code {
            case .versionConflict: (.preconditionFailed, .conflict, "the resource has changed since that version")
            case .multipleMatches:
                (.preconditionFailed, .multipleMatches, "the condition matches more than one resource")
            case .duplicate: (.conflict, .duplicate, "the write conflicts with a resource that already exists")
            case .idTaken:
                (.conflict, .conflict, "this id cannot be used by this sender; send the resource under another")
            case .stalePlan:
                (.conflict, .conflict, "concurrent messages changed the resources this one refers to; send it again")
            case .notFound: (.notFound, .notFound, "the resource is not known")
            case .invalidRequest: (.badRequest, .invalid, "the request cannot be stored as given")
            case .unavailable, .closed: (.serviceUnavailable, .transient, "the store is unavailable; try again later")
            default: (.internalServerError, .exception, "the store failed (\(error.code))")
            }
        var message = error.publicMessage ?? text
        if let entry = error.entry { message = "entry \(entry): " + message }
        self.init(status, code, message)
    }

    init(httpStatus status: HTTPResponse.Status) {
        let code: Issue.Code =
            switch status.code {
            case 404: .notFound
            case 405: .notSupported
            case 413: .tooCostly
            case 415: .notSupported
            case 401: .login
            case 403: .forbidden
            case 400..<500: .invalid
            default: .exception
            }
        self.init(status, code, status.code == 404 ? "no such endpoint" : status.reasonPhrase)
    }

    /// 405 for interactions the gateway does not implement (see the CapabilityStatement).
    static func methodNotAllowed(_ method: HTTPRequest.Method, _ path: String) -> FHIRError {
        FHIRError(.methodNotAllowed, .notSupported, "\(method) \(path) is not supported by this server")
    }
}
