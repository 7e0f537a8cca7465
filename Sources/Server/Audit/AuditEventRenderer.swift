import FHIRCore
import Foundation
import Store

/// Renders the store's audit records as FHIR R4 AuditEvent resources
/// (https://hl7.org/fhir/R4/auditevent.html), in a `searchset` Bundle.
///
/// An audit record holds references and codes only, so the AuditEvents carry no patient data: the
/// sender as the requesting agent, the stored version as the entity, the correlation id as a second
/// entity identifier.
enum AuditEventRenderer {
    static let senderSystem = "urn:tandem:sender"
    static let correlationSystem = "urn:tandem:correlation-id"

    /// The searchset Bundle of `entries`, newest first, with absolute `fullUrl`s under `base`.
    static func searchset(_ entries: [AuditEntry], base: String) -> Element {
        let resources = entries.map(self.auditEvent)
        let bundleEntries = resources.map { resource in
            Element.node(
                "entry",
                "Bundle.Entry",
                [
                    .primitive("fullUrl", "uri", base + "/fhir/AuditEvent/" + (resource.resourceID ?? "")),
                    resource.named("resource"),
                    .node("search", "Bundle.Search", [.primitive("mode", "code", "match")]),
                ]
            )
        }
        return .node(
            "Bundle",
            "Bundle",
            [
                .primitive("id", "id", RouteInput.newID()),
                .primitive("type", "code", "searchset"),
                .primitive("total", "unsignedInt", String(resources.count)),
            ] + bundleEntries
        )
    }

    /// One audit record as an AuditEvent (children in R4 element order).
    static func auditEvent(_ entry: AuditEntry) -> Element {
        var children: [Element] = [
            .primitive("id", "id", "audit-\(entry.id ?? 0)"),
            .node(
                "type",
                "Coding",
                [
                    .primitive("system", "uri", "http://terminology.hl7.org/CodeSystem/audit-event-type"),
                    .primitive("code", "code", "rest"),
                    .primitive("display", "string", "RESTful Operation"),
                ]
            ),
        ]
        if let interaction = self.interaction(entry) {
            children.append(
                .node(
                    "subtype",
                    "Coding",
                    [
                        .primitive("system", "uri", "http://hl7.org/fhir/restful-interaction"),
                        .primitive("code", "code", interaction),
                    ]
                )
            )
        }
        children.append(.primitive("action", "code", self.action(entry.action)))
        children.append(.primitive("recorded", "instant", FHIRTime.instant(entry.at)))
        children.append(.primitive("outcome", "code", entry.outcome.rawValue))
        children.append(
            .primitive("outcomeDesc", "string", [entry.action, entry.detail].compactMap { $0 }.joined(separator: ": "))
        )
        var who: [Element] = []
        if let sender = entry.sender {
            who.append(
                .node(
                    "identifier",
                    "Identifier",
                    [.primitive("system", "uri", self.senderSystem), .primitive("value", "string", sender)]
                )
            )
            who.append(.primitive("display", "string", sender))
        }
        children.append(
            .node(
                "agent",
                "AuditEvent.Agent",
                (who.isEmpty ? [] : [.node("who", "Reference", who)]) + [.primitive("requestor", "boolean", "true")]
            )
        )
        children.append(
            .node(
                "source",
                "AuditEvent.Source",
                [
                    .primitive("site", "string", "Tandem"),
                    .node("observer", "Reference", [.primitive("display", "string", "Tandem gateway")]),
                ]
            )
        )
        if let reference = entry.resourceReference {
            let what: Element =
                reference.contains("/")
                ? .node("what", "Reference", [.primitive("reference", "string", reference)])
                : .node("what", "Reference", [.primitive("type", "uri", reference)])
            children.append(.node("entity", "AuditEvent.Entity", [what]))
        }
        if let correlation = entry.correlationID, !correlation.isEmpty {
            let identifier = Element.node(
                "identifier",
                "Identifier",
                [.primitive("system", "uri", self.correlationSystem), .primitive("value", "string", correlation)]
            )
            children.append(.node("entity", "AuditEvent.Entity", [.node("what", "Reference", [identifier])]))
        }
        return Element(name: "AuditEvent", type: "AuditEvent", children: children)
    }

    /// The FHIR interaction that produced the record, from its detail (`create`, `transaction: …`).
    private static func interaction(_ entry: AuditEntry) -> String? {
        guard let detail = entry.detail else { return nil }
        let interaction = String(detail.prefix { $0 != ":" })
        return ["create", "update", "transaction", "batch"].contains(interaction) ? interaction : nil
    }

    /// `AuditEvent.action` (http://hl7.org/fhir/ValueSet/audit-event-action): C, R, U, D or E.
    private static func action(_ action: String) -> String {
        switch action {
        case "created": "C"
        case "updated": "U"
        case "unchanged", "matched": "R"
        default: "E"
        }
    }
}
