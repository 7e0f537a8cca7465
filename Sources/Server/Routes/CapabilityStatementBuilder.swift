import CoManagement
import FHIRCore
import Foundation

/// The CapabilityStatement at `/fhir/metadata`: exactly what the routes implement.
///
/// Every R4 resource type a sender may write supports create (conditional on `identifier`), update
/// (update-as-create, `If-Match`, conditional on `identifier`), read (`If-None-Match`,
/// `If-Modified-Since`), vread, instance history and delete; the search types and their parameters are
/// ``SearchParameter``'s. AuditEvent, written by the gateway alone, is searched only. Subscription is the
/// Backport IG's, with `$status` and `$events` and the topics this gateway publishes. The system takes
/// transaction, batch and message Bundles and `$process-message`.
enum CapabilityStatementBuilder {
    static let backportIG = "http://hl7.org/fhir/uv/subscriptions-backport"
    static let topicExtension =
        Self.backportIG + "/StructureDefinition/capabilitystatement-subscriptiontopic-canonical"

    static func make(
        date: Date,
        version: String,
        base: String,
        authorization: AuthorizationSettings = AuthorizationSettings()
    ) -> Element {
        let resources = R4Metadata.shared.resourceTypes.map { type -> Element in
            switch type {
            case "AuditEvent": self.auditEvent
            case "Subscription": self.subscription(base: base)
            default: self.resource(type)
            }
        }
        let system = ["transaction", "batch"].map { code in
            Element.node("interaction", "CapabilityStatement.Interaction1", [.primitive("code", "code", code)])
        }
        let processMessage = Element.node(
            "operation",
            "CapabilityStatement.Operation",
            [
                .primitive("name", "string", "process-message"),
                .primitive(
                    "definition",
                    "canonical",
                    "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message"
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
                .primitive(
                    "instantiates",
                    "canonical",
                    Self.backportIG + "/CapabilityStatement/backport-subscription-server-r4"
                ),
                .node(
                    "software",
                    "CapabilityStatement.Software",
                    [
                        .primitive("name", "string", "Tandem co-management gateway"),
                        .primitive("version", "string", version),
                    ]
                ),
                .node(
                    "implementation",
                    "CapabilityStatement.Implementation",
                    [.primitive("description", "string", "Tandem"), .primitive("url", "url", base)]
                ),
                .primitive("fhirVersion", "code", "4.0.1"),
                .primitive("format", "code", "json"),
                .primitive("format", "code", "xml"),
                .primitive(
                    "implementationGuide",
                    "canonical",
                    Self.backportIG + "/ImplementationGuide/hl7.fhir.uv.subscriptions-backport"
                ),
                .node(
                    "rest",
                    "CapabilityStatement.Rest",
                    [
                        .primitive("mode", "code", "server"),
                        .primitive("documentation", "markdown", Self.documentation),
                        self.security(authorization),
                    ] + resources + system + [processMessage]
                ),
            ]
        )
    }

    static let documentation = """
        Searches answer with what the caller may read (a sender its own resources, a partner the resources of \
        the episodes it was routed and consent lets it see), in pages of `_count` (default 50, at most 1000) \
        linked by an opaque cursor; unknown parameters are ignored and left out of the self link unless \
        `Prefer: handling=strict` asks for a 400. Request bodies may come gzip or deflate (the size limit \
        counts them inflated); answers are gzip when `Accept-Encoding` allows. Subscriptions (R4 Subscriptions \
        Backport IG) number their events per subscription; each episode's notifications arrive in order, but \
        across episodes they may arrive out of order, so a number not yet received may still come: \
        `Subscription/{id}/$events?eventsSinceNumber=&eventsUntilNumber=` fills a gap, and a number no \
        event has was never used.
        """

    private static let writeInteractions = ["read", "vread", "update", "delete", "history-instance", "create"]

    private static func interaction(_ code: String) -> Element {
        .node("interaction", "CapabilityStatement.Interaction", [.primitive("code", "code", code)])
    }

    private static func searchParam(_ parameter: SearchParameter) -> Element {
        .node(
            "searchParam",
            "CapabilityStatement.SearchParam",
            [
                .primitive("name", "string", parameter.name),
                .primitive("type", "code", parameter.kind.rawValue),
                .primitive("documentation", "markdown", parameter.documentation),
            ]
        )
    }

    /// A type senders write and everyone reads as the access rules allow.
    private static func resource(_ type: String) -> Element {
        let searchable = SearchParameter.searchableTypes.contains(type)
        var children: [Element] = [.primitive("type", "code", type)]
        children += Self.writeInteractions.map(Self.interaction)
        if searchable { children.append(Self.interaction("search-type")) }
        children += [
            .primitive("versioning", "code", "versioned-update"),
            .primitive("readHistory", "boolean", "true"),
            .primitive("updateCreate", "boolean", "true"),
            .primitive("conditionalCreate", "boolean", "true"),
            .primitive("conditionalRead", "code", "full-support"),
            .primitive("conditionalUpdate", "boolean", "true"),
            .primitive("conditionalDelete", "code", "not-supported"),
        ]
        guard searchable else { return .node("resource", "CapabilityStatement.Resource", children) }
        children += SearchParameter.includes(of: type).map { .primitive("searchInclude", "string", "\(type):\($0)") }
        children += SearchParameter.all(of: type).map(Self.searchParam)
        return .node("resource", "CapabilityStatement.Resource", children)
    }

    /// The audit trail: searched by operators, written by the gateway alone.
    private static var auditEvent: Element {
        .node(
            "resource",
            "CapabilityStatement.Resource",
            [
                .primitive("type", "code", "AuditEvent"),
                .primitive(
                    "documentation",
                    "markdown",
                    "The gateway's audit trail, for operators; type 110106 (Export) marks deliveries to partners."
                ),
                Self.interaction("search-type"),
            ]
                + [
                    ("date", "date", "When the access happened"),
                    ("agent", "reference", "The account's name"),
                    ("entity", "reference", "A resource the record names (Type/id), or its patient"),
                    ("type", "token", "rest, or 110106 for deliveries"),
                    ("outcome", "token", "0, 4, 8 or 12"),
                    ("_lastUpdated", "date", "As date"),
                ].map { name, type, documentation in
                    .node(
                        "searchParam",
                        "CapabilityStatement.SearchParam",
                        [
                            .primitive("name", "string", name),
                            .primitive("type", "code", type),
                            .primitive("documentation", "markdown", documentation),
                        ]
                    )
                }
        )
    }

    /// Subscriptions: the Backport IG's profile, the topics published, `$status` and `$events`.
    private static func subscription(base: String) -> Element {
        var children = SubscriptionTopic.names.map { topic in
            Element.node(
                "extension",
                "Extension",
                [
                    .primitive("url", "uri", Self.topicExtension),
                    .primitive("value", "canonical", SubscriptionTopic.canonical(topic, base: base)),
                ]
            )
        }
        children += [
            .primitive("type", "code", "Subscription"),
            .primitive("supportedProfile", "canonical", Self.backportIG + "/StructureDefinition/backport-subscription"),
            .primitive(
                "documentation",
                "markdown",
                "Partners subscribe with their own credentials: a rest-hook channel, payload empty, id-only or full-resource, heartbeat period and timeout; filters (backport-filter-criteria) service-line, patient (Patient/id), patient.identifier (system|value) and episode narrow a topic."
            ),
        ]
        children += ["read", "update", "delete", "create", "search-type"].map(Self.interaction)
        children += [
            .primitive("versioning", "code", "versioned-update"),
            .primitive("updateCreate", "boolean", "true"),
            Self.searchParam(SearchParameter(name: "_id", kind: .token, documentation: "The subscription's id")),
            Self.searchParam(
                SearchParameter(name: "status", kind: .token, documentation: "requested, active, error or off")
            ),
        ]
        children += [("status", "backport-subscription-status"), ("events", "backport-subscription-events")].map {
            name,
            definition in
            .node(
                "operation",
                "CapabilityStatement.Operation",
                [
                    .primitive("name", "string", name),
                    .primitive("definition", "canonical", Self.backportIG + "/OperationDefinition/" + definition),
                ]
            )
        }
        return .node("resource", "CapabilityStatement.Resource", children)
    }

    private static func security(_ authorization: AuthorizationSettings) -> Element {
        .node(
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
    }
}
