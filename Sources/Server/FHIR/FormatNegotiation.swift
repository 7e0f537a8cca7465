import FHIRCore
import Hummingbird

/// Chooses wire formats from `_format`, `Accept` and `Content-Type`
/// (https://hl7.org/fhir/R4/http.html#mime-type).
enum FormatNegotiation {
    /// The format of the answer: `_format` wins, then the first FHIR-capable `Accept` entry, then the
    /// format of the request body, then JSON.
    static func responseFormat(for request: Request) -> WireFormat {
        if let parameter = request.uri.queryParameters.get("_format"), let format = self.format(named: parameter) {
            return format
        }
        if let accept = request.headers[.accept] {
            for entry in accept.split(separator: ",") {
                if let format = self.format(mediaType: String(entry)) { return format }
            }
        }
        if let contentType = request.headers[.contentType], let format = self.format(mediaType: contentType) {
            return format
        }
        return .json
    }

    /// The format of the request body from its `Content-Type`.
    ///
    /// - Throws: ``FHIRError`` 415 when the content type is missing or not a FHIR JSON or XML type.
    static func bodyFormat(for request: Request) throws(FHIRError) -> WireFormat {
        guard let contentType = request.headers[.contentType] else {
            throw FHIRError(
                .unsupportedMediaType,
                .notSupported,
                "the request has no Content-Type; send application/fhir+json or application/fhir+xml"
            )
        }
        guard let format = self.format(mediaType: contentType) else {
            throw FHIRError(
                .unsupportedMediaType,
                .notSupported,
                "Content-Type '\(self.mediaTypeName(contentType))' is not supported; send application/fhir+json or application/fhir+xml"
            )
        }
        return format
    }

    /// `application/fhir+json; charset=utf-8` → JSON. The plain JSON and XML types are accepted too, as
    /// R4 asks servers to.
    static func format(mediaType: String) -> WireFormat? {
        switch self.mediaTypeName(mediaType) {
        case "application/fhir+json", "application/json", "application/json+fhir", "text/json": .json
        case "application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml": .xml
        default: nil
        }
    }

    /// `_format` values: `json`, `xml` or a media type.
    static func format(named name: String) -> WireFormat? {
        switch name.lowercased() {
        case "json": .json
        case "xml": .xml
        default: self.format(mediaType: name)
        }
    }

    private static func mediaTypeName(_ value: String) -> String {
        let name = value.split(separator: ";", maxSplits: 1).first ?? ""
        return name.trimmingWhitespace().lowercased()
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs. Works on the UTF-8 bytes: header values are
    /// trimmed on every request, and walking them as Characters cost more than the rest of negotiation.
    func trimmingWhitespace() -> String {
        let utf8 = self.utf8
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isBlank($0) }),
            let last = utf8.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}
