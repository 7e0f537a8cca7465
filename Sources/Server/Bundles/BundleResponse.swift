import FHIRCore
import Foundation
import HTTPTypes
import Store

/// Builds the Bundles that answer a transaction, batch or message
/// (https://hl7.org/fhir/R4/http.html#transaction-response, messaging.html#reliable).
enum BundleResponse {
    /// A `transaction-response` or `batch-response`: one entry per request entry, in order, each with
    /// its status, and for a write `location`, `etag`, `lastModified` and (unless `Prefer:
    /// return=minimal`) the resource; a failed batch entry carries its OperationOutcome, and so does a
    /// write the normaliser warned about (`warnings`, by `Type/id`: a referral no service line matched,
    /// and the codes it carried).
    static func make(
        type: String,
        slots: [Result<WriteResult, FHIRError>],
        preference: ResourceResponse.Preference,
        base: String,
        warnings: [String: [Issue]] = [:]
    ) throws(FHIRError) -> Element {
        var entries: [Element] = []
        for slot in slots {
            switch slot {
            case .success(let result):
                entries.append(
                    try self.entry(
                        result,
                        preference: preference,
                        base: base,
                        warnings: warnings[result.resource.reference] ?? []
                    )
                )
            case .failure(let error):
                entries.append(
                    .node(
                        "entry",
                        "Bundle.Entry",
                        [
                            .node(
                                "response",
                                "Bundle.Response",
                                [
                                    .primitive("status", "string", self.statusLine(error.status)),
                                    error.outcome.resource.named("outcome"),
                                ]
                            )
                        ]
                    )
                )
            }
        }
        return .node(
            "Bundle",
            "Bundle",
            [
                .primitive("id", "id", RouteInput.newID()),
                .primitive("type", "code", type),
            ] + entries
        )
    }

    /// One successful entry; its `response.outcome` carries `warnings`, and the summary of the write when
    /// the client asked for an OperationOutcome.
    static func entry(
        _ result: WriteResult,
        preference: ResourceResponse.Preference,
        base: String,
        warnings: [Issue] = []
    ) throws(FHIRError) -> Element {
        let stored = result.resource
        var response: [Element] = [
            .primitive("status", "string", self.statusLine(result.disposition == .created ? .created : .ok)),
            .primitive("location", "uri", stored.versionedReference),
            .primitive("etag", "string", ResourceResponse.eTag(stored.version)),
            .primitive("lastModified", "instant", FHIRTime.instant(stored.lastUpdated)),
        ]
        var children: [Element] = [.primitive("fullUrl", "uri", base + "/" + stored.reference)]
        if preference == .representation {
            children.append(try ResourceCodec.element(of: stored).named("resource"))
        }
        if let outcome = ResourceResponse.outcome(of: result, warnings: warnings, preference: preference) {
            response.append(outcome.resource.named("outcome"))
        }
        children.append(.node("response", "Bundle.Response", response))
        return .node("entry", "Bundle.Entry", children)
    }

    /// The answer to a message (https://hl7.org/fhir/R4/messageheader.html): a `message` Bundle whose
    /// MessageHeader names the request's header in `response.identifier` with code `ok`, and points
    /// at the stored focus resources; the normaliser's `warnings`, when there are any, follow as an
    /// OperationOutcome that `response.details` names.
    static func message(
        request header: Element,
        bundleID: String?,
        focus: [WriteResult],
        base: String,
        warnings: [Issue] = []
    ) -> Element {
        let details = warnings.isEmpty ? nil : RouteInput.newID()
        var children: [Element] = [.primitive("id", "id", RouteInput.newID())]
        // event[x] is required and must echo the request's event (a Coding or a uri).
        if let event = header.child("event") { children.append(event) }
        children.append(
            .node(
                "source",
                "MessageHeader.Source",
                [
                    .primitive("name", "string", "Tandem"),
                    .primitive("endpoint", "url", base),
                ]
            )
        )
        children.append(
            .node(
                "response",
                "MessageHeader.Response",
                [
                    .primitive("identifier", "id", header.resourceID ?? bundleID ?? "unknown"),
                    .primitive("code", "code", "ok"),
                ]
                    + (details.map {
                        [.node("details", "Reference", [.primitive("reference", "string", "urn:uuid:\($0)")])]
                    }
                        ?? [])
            )
        )
        for result in focus {
            children.append(.node("focus", "Reference", [.primitive("reference", "string", result.resource.reference)]))
        }
        let responseHeader = Element(name: "MessageHeader", type: "MessageHeader", children: children)
        let id = RouteInput.newID()
        return .node(
            "Bundle",
            "Bundle",
            [
                .primitive("id", "id", id),
                .primitive("type", "code", "message"),
                .primitive("timestamp", "instant", FHIRTime.instant(Date())),
                .node(
                    "entry",
                    "Bundle.Entry",
                    [
                        .primitive("fullUrl", "uri", "urn:uuid:" + (responseHeader.resourceID ?? id)),
                        responseHeader.named("resource"),
                    ]
                ),
            ]
                + (details.map { details in
                    [
                        .node(
                            "entry",
                            "Bundle.Entry",
                            [
                                .primitive("fullUrl", "uri", "urn:uuid:\(details)"),
                                Outcome(warnings).resource.named("resource"),
                            ]
                        )
                    ]
                } ?? [])
        )
    }

    /// `201 Created`, as `Bundle.entry.response.status` spells it.
    static func statusLine(_ status: HTTPResponse.Status) -> String {
        "\(status.code) \(status.reasonPhrase)"
    }
}
