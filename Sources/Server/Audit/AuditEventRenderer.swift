import FHIRCore
import Foundation
import Store

/// Renders the store's audit records as FHIR R4 AuditEvent resources
/// (https://hl7.org/fhir/R4/auditevent.html), for the searchset Bundles of `GET /fhir/AuditEvent`.
///
/// An audit record holds references, identifiers and codes only, never content: the account as the
/// requesting agent (its role in the identifier system, its address as the network point), the resource
/// read or written as the entity, the patient as a second entity when known (role Patient, IHE BALP's
/// shape), the correlation id as another.
enum AuditEventRenderer {
    static let senderSystem = "urn:tandem:sender"
    /// DICOM's "Export" (110106): what a delivery, handshake or heartbeat to a partner is.
    static let exportCode = "110106"
    static let correlationSystem = "urn:tandem:correlation-id"

    /// One audit record as an AuditEvent (children in R4 element order).
    static func auditEvent(_ entry: AuditEntry) -> Element {
        let delivery = entry.action.hasPrefix("delivery")
        var children: [Element] = [
            .primitive("id", "id", "audit-\(entry.id ?? 0)"),
            .node(
                "type",
                "Coding",
                delivery
                    ? [
                        .primitive("system", "uri", "http://dicom.nema.org/resources/ontology/DCM"),
                        .primitive("code", "code", Self.exportCode),
                        .primitive("display", "string", "Export"),
                    ]
                    : [
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
        children.append(self.agent(entry, requestor: !delivery))
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
                if reference.first?.isLowercase == true {
                    // Not a FHIR resource: the co-management API's episodes, or the unmatched referrals.
                    .node("what", "Reference", [.primitive("display", "string", reference)])
                } else if reference.contains("/") {
                    .node("what", "Reference", [.primitive("reference", "string", reference)])
                } else {
                    .node("what", "Reference", [.primitive("type", "uri", reference)])
                }
            children.append(.node("entity", "AuditEvent.Entity", [what]))
        }
        if let patient = entry.patient {
            children.append(self.patientEntity(patient))
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

    /// The requesting agent: the account (its role in the identifier system) and the address it came from.
    private static func agent(_ entry: AuditEntry, requestor: Bool) -> Element {
        var agent: [Element] = []
        if let name = entry.sender {
            let system = entry.role.map { "urn:tandem:\($0)" } ?? self.senderSystem
            agent.append(
                .node(
                    "who",
                    "Reference",
                    [
                        .node(
                            "identifier",
                            "Identifier",
                            [.primitive("system", "uri", system), .primitive("value", "string", name)]
                        ),
                        .primitive("display", "string", name),
                    ]
                )
            )
        }
        // A delivery's agent is the partner it went to; the gateway asked.
        agent.append(.primitive("requestor", "boolean", requestor ? "true" : "false"))
        if let source = entry.source {
            // audit-event-network-type 2: an IP address.
            agent.append(
                .node(
                    "network",
                    "AuditEvent.Agent.Network",
                    [.primitive("address", "string", source), .primitive("type", "code", "2")]
                )
            )
        }
        return .node("agent", "AuditEvent.Agent", agent)
    }

    /// The patient entity: by reference (`Patient/id`) or by the identifier searched for (`system|value`).
    private static func patientEntity(_ patient: String) -> Element {
        let what: Element
        if patient.hasPrefix("Patient/") {
            what = .node("what", "Reference", [.primitive("reference", "string", patient)])
        } else {
            let parts = patient.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            var identifier: [Element] = []
            if parts.count == 2, !parts[0].isEmpty { identifier.append(.primitive("system", "uri", parts[0])) }
            identifier.append(.primitive("value", "string", parts.last ?? patient))
            what = .node("what", "Reference", [.node("identifier", "Identifier", identifier)])
        }
        return .node(
            "entity",
            "AuditEvent.Entity",
            [
                what,
                .node(
                    "type",
                    "Coding",
                    [
                        .primitive("system", "uri", "http://terminology.hl7.org/CodeSystem/audit-entity-type"),
                        .primitive("code", "code", "1"),
                    ]
                ),
                .node(
                    "role",
                    "Coding",
                    [
                        .primitive("system", "uri", "http://terminology.hl7.org/CodeSystem/object-role"),
                        .primitive("code", "code", "1"),
                    ]
                ),
            ]
        )
    }

    /// The FHIR interaction that produced the record: the access's own (`read`, `search`, …), or a write's,
    /// from its detail (`create`, `transaction: …`).
    private static func interaction(_ entry: AuditEntry) -> String? {
        switch entry.action {
        case "read", "vread", "create", "update", "delete": return entry.action
        case "history": return "history-instance"
        case "search": return "search-type"
        default: break
        }
        guard let detail = entry.detail else { return nil }
        let interaction = String(detail.prefix { $0 != ":" })
        return ["create", "update", "delete", "transaction", "batch"].contains(interaction) ? interaction : nil
    }

    /// `AuditEvent.action` (http://hl7.org/fhir/ValueSet/audit-event-action): C, R, U, D or E.
    private static func action(_ action: String) -> String {
        switch action {
        case "created", "create": "C"
        case "updated", "update": "U"
        case "deleted", "delete": "D"
        case "unchanged", "matched", "read", "vread", "history": "R"
        default: "E"
        }
    }
}
