import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// Builds the answers to resource interactions: status, `ETag`, `Last-Modified`, `Location`, and a body
/// shaped by `Prefer: return=…` (https://hl7.org/fhir/R4/http.html#ops).
enum ResourceResponse {
    /// What the client asked to get back after a write.
    enum Preference {
        case minimal, representation, operationOutcome

        init(_ request: Request) {
            let prefer = request.headers[.prefer]?.lowercased() ?? ""
            if prefer.contains("return=minimal") {
                self = .minimal
            } else if prefer.contains("return=operationoutcome") {
                self = .operationOutcome
            } else {
                self = .representation
            }
        }
    }

    /// The answer to a create or update: 201 for a new resource, 200 otherwise. With `Prefer:
    /// return=OperationOutcome` the outcome carries the normaliser's `warnings` about the resource.
    static func written(
        _ result: WriteResult,
        request: Request,
        context: GatewayRequestContext,
        warnings: [Issue] = []
    ) throws(FHIRError) -> Response {
        let stored = result.resource
        let status: HTTPResponse.Status = result.disposition == .created ? .created : .ok
        var headers = self.versionHeaders(stored)
        headers[.location] = self.location(of: stored, context: context)
        switch Preference(request) {
        case .minimal:
            return Response(status: status, headers: headers)
        case .operationOutcome:
            let outcome = self.outcome(of: result, warnings: warnings, preference: .operationOutcome) ?? Outcome()
            return self.body(outcome.resource, status: status, headers: headers, format: context.responseFormat)
        case .representation:
            return self.body(
                try ResourceCodec.element(of: stored),
                status: status,
                headers: headers,
                format: context.responseFormat
            )
        }
    }

    /// The answer to a read or version read.
    static func read(_ stored: StoredResource, context: GatewayRequestContext) throws(FHIRError) -> Response {
        let resource = try ResourceCodec.element(of: stored)
        if let patient = Self.patientReference(in: resource) { context.access.note(patient: patient) }
        return self.body(
            resource,
            status: .ok,
            headers: self.versionHeaders(stored),
            format: context.responseFormat
        )
    }

    /// The patient a resource is about, for the audit record: its `subject` or `patient` reference when
    /// that names a Patient (stored content names it by gateway id).
    static func patientReference(in resource: Element) -> String? {
        for name in ["subject", "patient", "beneficiary"] {
            if let reference = resource.child(name)?.string("reference"), reference.hasPrefix("Patient/") {
                return reference
            }
        }
        return nil
    }

    /// A resource tree written in `format`.
    static func body(
        _ resource: Element,
        status: HTTPResponse.Status,
        headers: HTTPFields = [:],
        format: WireFormat
    ) -> Response {
        var headers = headers
        headers[.contentType] = format.mediaType + "; charset=utf-8"
        let bytes = ResourceCodec.write(resource, as: format)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func versionHeaders(_ stored: StoredResource) -> HTTPFields {
        [.eTag: self.eTag(stored.version), .lastModified: FHIRTime.httpDate(stored.lastUpdated)]
    }

    static func eTag(_ version: Int) -> String { #"W/"\#(version)""# }

    /// `If-Match: W/"3"` → 3. Nil when absent.
    ///
    /// - Throws: ``FHIRError`` 400 for a value that is not a version ETag.
    static func ifMatchVersion(_ request: Request) throws(FHIRError) -> Int? {
        try request.headers[.ifMatch].map(self.ifMatchVersion)
    }

    /// `W/"3"` (an `If-Match` header or `Bundle.entry.request.ifMatch`) → 3.
    ///
    /// - Throws: ``FHIRError`` 400 for a value that is not a version ETag.
    static func ifMatchVersion(_ value: String) throws(FHIRError) -> Int {
        var text = Substring(value).trimmingWhitespace()
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2 {
            text = String(text.dropFirst().dropLast())
        }
        guard let version = Int(text), version > 0 else {
            throw FHIRError(.badRequest, .invalid, #"If-Match must be a version ETag such as W/"1""#)
        }
        return version
    }

    /// The absolute URL of the version under the public FHIR base (``GatewayRequestContext/fhirBase``).
    static func location(of stored: StoredResource, context: GatewayRequestContext) -> String {
        context.fhirBase + "/" + stored.versionedReference
    }

    /// The request's own origin (`http://host:port`), from its `Host`; empty when there is none.
    static func origin(_ request: Request) -> String {
        guard let host = request.head.authority ?? request.headers[.host] else { return "" }
        return "\(request.head.scheme ?? "http")://\(host)"
    }

    /// The OperationOutcome a write answers with: its summary when the client asked for one, and the
    /// normaliser's warnings whenever there are any; nil when neither applies.
    static func outcome(of result: WriteResult, warnings: [Issue], preference: Preference) -> Outcome? {
        var issues = warnings
        if preference == .operationOutcome {
            issues.insert(Issue(.information, .informational, path: nil, self.summary(result)), at: 0)
        }
        return issues.isEmpty ? nil : Outcome(issues)
    }

    static func summary(_ result: WriteResult) -> String {
        switch result.disposition {
        case .created: "Created \(result.resource.versionedReference)"
        case .updated: "Updated \(result.resource.versionedReference)"
        case .unchanged: "Unchanged: \(result.resource.versionedReference) already has this content"
        case .matched: "Matched existing \(result.resource.versionedReference) (If-None-Exist)"
        case .deleted: "Deleted \(result.resource.versionedReference)"
        }
    }
}

extension HTTPField.Name {
    static let prefer = HTTPField.Name("Prefer")!
    static let host = HTTPField.Name("Host")!
    static let ifNoneExist = HTTPField.Name("If-None-Exist")!
}

extension StoredResource {
    /// The resource as a client that named it `id` sees it: the same version under the id it asked for.
    func presented(as id: String) -> StoredResource {
        var copy = self
        copy.id = id
        return copy
    }
}

extension WriteResult {
    /// The result as the client that wrote `id` sees it (``StoredResource/presented(as:)``).
    func presented(as id: String) -> WriteResult {
        WriteResult(self.disposition, self.resource.presented(as: id))
    }
}
