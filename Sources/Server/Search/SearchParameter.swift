/// The search parameters the gateway answers, per resource type: exactly what the CapabilityStatement
/// lists (https://hl7.org/fhir/R4/search.html). Each has its index tokens (``SearchIndex``) and its
/// reading of a query value (``SearchRequest``).
struct SearchParameter: Sendable, Hashable {
    enum Kind: String, Sendable {
        case token
        case reference
        case string
        case date
    }

    var name: String
    var kind: Kind
    /// What the CapabilityStatement says of it.
    var documentation: String

    /// The co-management types searched by patient, status and the rest.
    static let clinicalTypes = ["CarePlan", "CareTeam", "Communication", "Consent", "ServiceRequest", "Task"]
    /// The types searched by name.
    static let directoryTypes = ["Organization", "Patient", "Practitioner"]
    /// Every type with a search interaction (the audit trail and Subscriptions have their own).
    static let searchableTypes = Set(Self.clinicalTypes + Self.directoryTypes)

    static let id = Self(
        name: "_id",
        kind: .token,
        documentation: "The resource's id (gateway id; a sender's own id for its own resources)"
    )
    static let lastUpdated = Self(
        name: "_lastUpdated",
        kind: .date,
        documentation: "When the resource last changed; prefixes eq, ge, gt, le, lt"
    )
    static let identifier = Self(
        name: "identifier",
        kind: .token,
        documentation: "A business identifier, system|value or value alone"
    )
    static let patient = Self(
        name: "patient",
        kind: .reference,
        documentation: "The patient, as Patient/id, id, or chained: patient.identifier=system|value"
    )
    static let subject = Self(
        name: "subject",
        kind: .reference,
        documentation: "The subject, as Type/id, or chained: subject.identifier=system|value (Patient)"
    )
    static let status = Self(name: "status", kind: .token, documentation: "The status code")
    static let intent = Self(name: "intent", kind: .token, documentation: "The intent code")
    static let category = Self(name: "category", kind: .token, documentation: "A category, system|code or code")
    static let basedOn = Self(name: "based-on", kind: .reference, documentation: "What the resource fulfils, Type/id")
    static let name = Self(
        name: "name",
        kind: .string,
        documentation: "A word of a name starts with the value (case and accents ignored)"
    )

    /// The parameters of `type` besides `_id` and `_lastUpdated`, in the CapabilityStatement's order.
    static func parameters(of type: String) -> [SearchParameter] {
        switch type {
        case "ServiceRequest", "CarePlan": [.identifier, .patient, .subject, .status, .intent, .category, .basedOn]
        case "Task": [.identifier, .patient, .subject, .status, .intent, .basedOn]
        case "CareTeam": [.identifier, .patient, .subject, .status, .category]
        case "Consent": [.identifier, .patient, .status, .category]
        case "Communication": [.identifier, .patient, .subject, .status, .category, .basedOn]
        case "Patient", "Practitioner", "Organization": [.identifier, .name]
        default: []
        }
    }

    /// Every parameter of `type`, the common ones first.
    static func all(of type: String) -> [SearchParameter] {
        [.id, .lastUpdated] + self.parameters(of: type)
    }

    /// The element that holds the subject of `type` (`Task.for`, `Consent.patient`).
    static func subjectElement(of type: String) -> String {
        switch type {
        case "Task": "for"
        case "Consent": "patient"
        default: "subject"
        }
    }

    /// The references `_include` may follow from `type` (`ServiceRequest:subject`).
    static func includes(of type: String) -> [String] {
        type == "ServiceRequest" ? ["subject", "requester", "performer"] : []
    }

    /// The types a reference parameter's plain id may name.
    static func targets(of name: String) -> [String] {
        switch name {
        case "patient": ["Patient"]
        case "subject": ["Patient", "Group"]
        default: ["ServiceRequest", "CarePlan", "MedicationRequest", "Task", "CommunicationRequest", "DeviceRequest"]
        }
    }
}
