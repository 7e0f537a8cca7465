/// A provider or organisation sharing responsibility in an episode, with the phases it answers for.
public struct Participant: Sendable, Hashable, Codable {
    /// Stable within the episode: the party's key (`Practitioner/123`, `system|value`).
    public var key: String
    public var party: Party
    /// Co-management role from `Mappings/roles` (`surgeon`, `optometrist`, `hospitalist`).
    public var role: String
    /// Phases this participant is responsible for (`surgery`, `post-operative`).
    public var phases: [String]
    public var period: Period?
    /// Where the participation was learned: `CareTeam/ct-1`, `ServiceRequest/sr-1#performer`.
    public var sources: [String]

    public init(
        key: String,
        party: Party,
        role: String,
        phases: [String],
        period: Period? = nil,
        sources: [String] = []
    ) {
        self.key = key
        self.party = party
        self.role = role
        self.phases = phases
        self.period = period
        self.sources = sources
    }

    /// Whether the participant is responsible at the given FHIR dateTime (open periods count).
    public func isActive(at time: FHIRInstant?) -> Bool {
        guard let period = self.period, let time else { return true }
        if let start = period.start.flatMap(FHIRInstant.init), time < start { return false }
        if let end = period.end.flatMap(FHIRInstant.init), time >= end { return false }
        return true
    }

    /// Every name the participant goes by, as a partner's `represents` names it: its key, its party's
    /// reference and its party's identifier tokens (`system|value`).
    public var names: [String] {
        [self.key] + (self.party.reference.map { [$0] } ?? []) + self.party.identifiers.map(\.token)
    }
}

/// A practitioner, role or organisation as the messages named it.
public struct Party: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case practitioner, practitionerRole, organization, careTeam, patient, relatedPerson, unknown
    }

    public var kind: Kind
    /// A resolvable reference (`Practitioner/123`), when there was one.
    public var reference: String?
    public var identifiers: [Identifier]
    public var display: String?

    public init(kind: Kind, reference: String? = nil, identifiers: [Identifier] = [], display: String? = nil) {
        self.kind = kind
        self.reference = reference
        self.identifiers = identifiers
        self.display = display
    }

    /// The key parties are matched on: the first identifier's token, else the reference, else the display.
    public var key: String {
        if let identifier = self.identifiers.sorted().first { return identifier.token }
        return self.reference ?? self.display ?? "unknown"
    }
}

/// A FHIR Period, kept in its lexical form.
public struct Period: Sendable, Hashable, Codable {
    public var start: String?
    public var end: String?

    public init(start: String?, end: String?) {
        self.start = start
        self.end = end
    }
}
