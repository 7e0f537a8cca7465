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

    static func make(
        date: Date,
        version: String,
        authorization: AuthorizationSettings = AuthorizationSettings()
    ) -> Element {
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
                // SMART App Launch's oauth-uris extension: where a client gets its token.
                .node(
                    "extension",
                    "Extension",
                    [
                        .primitive(
                            "url",
                            "uri",
                            "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
                        ),
                        .node(
                            "extension",
                            "Extension",
                            [
                                .primitive("url", "uri", "token"),
                                .primitive("value", "uri", authorization.tokenEndpoint),
                            ]
                        ),
                    ]
                ),
                .node(
                    "service",
                    "CodeableConcept",
                    [
                        .node(
                            "coding",
                            "Coding",
                            [
                                .primitive(
                                    "system",
                                    "uri",
                                    "http://terminology.hl7.org/CodeSystem/restful-security-service"
                                ),
                                .primitive("code", "code", "SMART-on-FHIR"),
                            ]
                        )
                    ]
                ),
                .primitive(
                    "description",
                    "markdown",
                    "Systems authenticate with SMART Backend Services (client credentials with a private_key_jwt assertion, RS384 or ES384; see /.well-known/smart-configuration), with a static bearer token issued by the gateway operator, or, for senders, with a client certificate. System scopes narrow what the account's role allows; each sender may write only the resource types its configuration allows."
                ),
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
