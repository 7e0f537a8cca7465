import FHIRCore
import Foundation

/// The CapabilityStatement at `/fhir/metadata`: only what the routes really implement.
///
/// Every R4 resource type supports create (conditional on `identifier`), update (update-as-create,
/// `If-Match` versioning), read, vread and instance history; the system supports transaction and batch
/// Bundles (and message Bundles at `POST /fhir`). Search only on AuditEvent (the audit trail); no other
/// search, delete or patch: those answer 405.
enum CapabilityStatementBuilder {
    /// Search is offered on AuditEvent only: the audit trail (`GET /fhir/AuditEvent`).
    static func searchInteractions(_ type: String) -> [Element] {
        guard type == "AuditEvent" else { return [] }
        return [
            Element.node("interaction", "CapabilityStatement.Interaction", [.primitive("code", "code", "search-type")])
        ]
    }

    static func make(date: Date, version: String) -> Element {
        let interactions = ["read", "vread", "update", "history-instance", "create"].map { code in
            Element.node("interaction", "CapabilityStatement.Interaction", [.primitive("code", "code", code)])
        }
        let resources = R4Metadata.shared.resourceTypes.map { type in
            Element.node(
                "resource",
                "CapabilityStatement.Resource",
                [
                    .primitive("type", "code", type)
                ] + interactions + self.searchInteractions(type) + [
                    .primitive("versioning", "code", "versioned-update"),
                    .primitive("readHistory", "boolean", "true"),
                    .primitive("updateCreate", "boolean", "true"),
                    .primitive("conditionalCreate", "boolean", "true"),
                ]
            )
        }
        let system = ["transaction", "batch"].map { code in
            Element.node("interaction", "CapabilityStatement.Interaction1", [.primitive("code", "code", code)])
        }
        let security = Element.node(
            "security",
            "CapabilityStatement.Security",
            [
                .primitive(
                    "description",
                    "markdown",
                    "Senders authenticate with a bearer token issued by the gateway operator; each sender may write only the resource types its configuration allows."
                )
            ]
        )
        return .node(
            "CapabilityStatement",
            "CapabilityStatement",
            [
                .primitive("status", "code", "active"),
                .primitive("date", "dateTime", FHIRTime.instant(date)),
                .primitive("publisher", "string", "Tandem"),
                .primitive("kind", "code", "instance"),
                .node(
                    "software",
                    "CapabilityStatement.Software",
                    [
                        .primitive("name", "string", "Tandem co-management gateway"),
                        .primitive("version", "string", version),
                    ]
                ),
                .primitive("fhirVersion", "code", "4.0.1"),
                .primitive("format", "code", "json"),
                .primitive("format", "code", "xml"),
                .node(
                    "rest",
                    "CapabilityStatement.Rest",
                    [
                        .primitive("mode", "code", "server"),
                        security,
                    ] + resources + system
                ),
            ]
        )
    }
}
