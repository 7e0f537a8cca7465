import FHIRCore
import HTTPTypes
import Hummingbird

/// The content codings the gateway reads in request bodies (`Content-Encoding`) and writes in answers
/// (`Accept-Encoding`): gzip and deflate, as interface engines send them (RFC 9110 §8.4.1).
enum ContentCoding: String, Sendable {
    case identity
    case gzip
    case deflate

    /// The coding of a request body, from its `Content-Encoding`.
    ///
    /// - Throws: ``FHIRError`` 415 for a coding the gateway cannot read, or several stacked.
    static func of(_ request: Request) throws(FHIRError) -> ContentCoding {
        guard let header = request.headers[.contentEncoding] else { return .identity }
        let codings = header.split(separator: ",").map { $0.trimmingWhitespace().lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
        guard codings.count <= 1 else {
            throw FHIRError(.unsupportedMediaType, .notSupported, "Content-Encoding: only one of gzip or deflate")
        }
        switch codings.first {
        case nil: return .identity
        case "gzip", "x-gzip": return .gzip
        case "deflate": return .deflate
        case let other?:
            throw FHIRError(
                .unsupportedMediaType,
                .notSupported,
                "Content-Encoding '\(other)' is not supported; send gzip, deflate or identity"
            )
        }
    }

    /// The body as sent before it was encoded, at most `limit` bytes: the size limit counts what the body
    /// inflates to, so a small compressed body that inflates past it is refused before it is read in full.
    ///
    /// - Throws: ``FHIRError`` 413 past the limit, 400 when the bytes are not of this coding.
    func decode(_ bytes: [UInt8], limit: Int) throws(FHIRError) -> [UInt8] {
        let formats: [Zlib.Format]
        switch self {
        case .identity: return bytes
        case .gzip: formats = [.gzip]
        // HTTP's deflate is the zlib format; some clients send bare deflate under that name.
        case .deflate: formats = [.zlib, .raw]
        }
        var failure = Zlib.Failure.corrupt
        for format in formats {
            do throws(Zlib.Failure) {
                return try Zlib.inflate(bytes, format: format, limit: limit)
            } catch {
                failure = error
                if error == .tooLarge { break }
            }
        }
        switch failure {
        case .tooLarge:
            throw FHIRError(.contentTooLarge, .tooCostly, "the request body inflates past the size the gateway accepts")
        case .corrupt:
            throw FHIRError(.badRequest, .invalid, "the request body is not valid \(self.rawValue) data")
        }
    }

    /// Whether the client takes gzip answers: `gzip` (or `*`) in `Accept-Encoding` with a weight above 0.
    static func acceptsGzip(_ request: Request) -> Bool {
        guard let header = request.headers[.acceptEncoding] else { return false }
        for entry in header.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingWhitespace().lowercased() }
            guard let name = parts.first, name == "gzip" || name == "*" else { continue }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return weight > 0
        }
        return false
    }
}
