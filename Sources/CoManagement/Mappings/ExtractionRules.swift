/// Where the normaliser finds each field, per resource type: `extraction.json` plus the per-sender
/// overrides in `senders/NAME.json`.
public struct ExtractionRules: Sendable {
    /// The fields the normaliser reads, per resource type. `extraction.json` must give every one (a
    /// missing field would silently extract nothing) and may give no others (a typo would be ignored).
    public static let catalog: [String: [String]] = [
        "Patient": ["identifiers", "name", "birthDate"],
        "Practitioner": ["identifiers", "name", "roleCodes"],
        "Organization": ["identifiers", "name", "roleCodes"],
        "PractitionerRole": ["identifiers", "practitioner", "organization", "roleCodes"],
        "ServiceRequest": [
            "identifiers", "patient", "status", "intent", "priority", "serviceCodes", "code", "requester",
            "performer", "performerRoleCodes", "reasons", "basedOn", "authoredOn",
        ],
        "Task": [
            "identifiers", "patient", "focus", "status", "businessStatus", "owner", "requester", "at", "serviceCodes",
        ],
        "CarePlan": [
            "identifiers", "patient", "status", "intent", "title", "serviceCodes", "basedOn", "periodStart",
            "periodEnd", "activities", "activity.code", "activity.description", "activity.status",
            "activity.performer", "activity.scheduledStart", "activity.dueBy",
        ],
        "CareTeam": [
            "identifiers", "patient", "serviceCodes", "basedOn", "participants", "participant.member",
            "participant.roleCodes", "participant.start", "participant.end",
        ],
        "Consent": [
            "identifiers", "patient", "status", "decision", "deniedActors", "permittedActors", "purposes",
            "periodStart", "periodEnd",
        ],
        "Communication": ["identifiers", "patient", "status", "basedOn", "reportCodes", "sender", "at"],
        "Condition": ["identifiers", "patient", "serviceCodes"],
    ]

    /// Resource type → field → expression, from `extraction.json`.
    public var base: [String: [String: FHIRPathExpression]]
    /// Sender name → resource type → field → expression, from `senders/`.
    public var senders: [String: [String: [String: FHIRPathExpression]]]

    public init(
        base: [String: [String: FHIRPathExpression]],
        senders: [String: [String: [String: FHIRPathExpression]]] = [:]
    ) {
        self.base = base
        self.senders = senders
    }

    /// The expression for a field of a resource type, the sender's override first.
    ///
    /// A field like `activity.status` is evaluated on the node that `activities` selected, not on the
    /// resource; the caller decides which.
    public func path(_ field: String, of type: String, sender: String?) -> FHIRPathExpression? {
        if let sender, let override = self.senders[sender]?[type]?[field] { return override }
        return self.base[type]?[field]
    }
}
