import FHIRCore
import Foundation
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

    /// Refuses a request for another FHIR version than R4: a body whose `Content-Type` says
    /// `fhirVersion=5.0` (415), or an `Accept` whose every FHIR media type names another version (406).
    /// R4 media types without the parameter, or with `4.0` (or `4.0.1`), pass
    /// (https://hl7.org/fhir/R4/http.html#version-parameter).
    static func requireR4(_ request: Request) throws(FHIRError) {
        if let contentType = request.headers[.contentType], let version = self.fhirVersion(contentType),
            !self.isR4(version)
        {
            throw FHIRError(
                .unsupportedMediaType,
                .notSupported,
                "this server speaks FHIR R4 (fhirVersion=4.0), not fhirVersion=\(version)"
            )
        }
        guard let accept = request.headers[.accept] else { return }
        let versions = accept.split(separator: ",").map(String.init)
            .filter { self.format(mediaType: $0) != nil }
            .map { self.fhirVersion($0) }
        if !versions.isEmpty, let first = versions.compactMap({ $0 }).first,
            versions.allSatisfy({ $0.map { !self.isR4($0) } ?? false })
        {
            throw FHIRError(
                .notAcceptable,
                .notSupported,
                "this server answers in FHIR R4 (fhirVersion=4.0), not fhirVersion=\(first)"
            )
        }
    }

    /// The `fhirVersion` parameter of a media type, when it has one.
    static func fhirVersion(_ mediaType: String) -> String? {
        for parameter in mediaType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            guard pair.count == 2, pair[0].lowercased() == "fhirversion" else { continue }
            return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func isR4(_ version: String) -> Bool { version == "4.0" || version.hasPrefix("4.0.") }

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
