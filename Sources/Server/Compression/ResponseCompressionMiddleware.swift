import HTTPTypes
public import Hummingbird
import NIOCore
import Synchronization

/// Compresses answers with gzip when the client says it takes them (`Accept-Encoding`), for bodies worth
/// it: search pages and history Bundles shrink to a fraction over slow links.
///
/// Answers already encoded, and small ones, pass unchanged. `Vary: Accept-Encoding` tells caches that the
/// answer depends on the header.
public struct ResponseCompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Bodies shorter than this are sent as they are: compressing them saves less than it costs.
    static var minimumBytes: Int { 1024 }

    public init() {}

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        guard ContentCoding.acceptsGzip(request), response.headers[.contentEncoding] == nil,
            let length = response.body.contentLength, length >= Self.minimumBytes
        else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let compressed = Zlib.gzip(collector.bytes)
        guard !compressed.isEmpty else { return response }
        response.headers[.contentEncoding] = "gzip"
        response.headers[.vary] = "Accept-Encoding"
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: compressed))
        return response
    }
}

/// Gathers what a response body writes, so it can be compressed whole.
private struct BodyCollector: ResponseBodyWriter {
    private let buffer = Box()

    var bytes: [UInt8] { self.buffer.bytes.withLock { $0 } }

    mutating func write(_ buffer: ByteBuffer) async throws {
        self.buffer.bytes.withLock { $0 += buffer.readableBytesView }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}

    /// Shared between the copies of the writer that `ResponseBody.write` consumes.
    private final class Box: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }
}
