/// One co-managed course of care for one patient: the shared picture Tandem keeps and forwards.
///
/// An episode is identified by the patient (matched on identifier systems the mappings trust), the service
/// line, and the referral chain that opened it (`ServiceRequest.basedOn`, `Task.focus`,
/// `CarePlan.basedOn`). Everything but the ``timeline`` is derived from the resources received so far by
/// ``Normaliser``; the timeline accumulates, one numbered event per change, in the order changes happened.
///
/// Its JSON form is the *episode document* (`Samples/episode-document.schema.json`, written by ``EpisodeDocument``).
public struct Episode: Sendable, Hashable {
    /// Stable id: derived from the patient key, the service line and the root referral's key.
    public var id: String
    public var patient: PatientSummary
    /// The kind of co-management, from `Mappings/service-lines` (`ophthalmology.cataract`).
    public var serviceLine: String
    public var status: EpisodeStatus
    public var participants: [Participant]
    public var referrals: [Referral]
    public var carePlans: [CarePlanSummary]
    public var handoffs: [Handoff]
    public var consent: ConsentState
    public var reports: [Report]
    /// The hand-offs waiting for, or given, an answer, each tracked by a Task (``HandoffTask``).
    public var tasks: [HandoffTask]
    public var timeline: [TimelineEvent]
    public var measures: Measures
    /// Keys of the held resources the episode was derived from (`ServiceRequest/sr-1`, a Bundle entry's
    /// `fullUrl`), sorted. Lets a store find the episodes a resource touches, and lets the normaliser
    /// keep an episode's timeline when its id changes (a Patient resource arriving after the referral
    /// turns the patient key from `Patient/1` into a trusted identifier).
    public var sources: [String]

    public init(id: String, patient: PatientSummary, serviceLine: String) {
        self.id = id
        self.patient = patient
        self.serviceLine = serviceLine
        self.status = .referred
        self.participants = []
        self.referrals = []
        self.carePlans = []
        self.handoffs = []
        self.consent = ConsentState()
        self.reports = []
        self.tasks = []
        self.timeline = []
        self.measures = Measures()
        self.sources = []
    }

    /// The episode without its timeline: what ``Normaliser`` derives from resources, and what two
    /// snapshots are compared on to find changes.
    public var state: Episode {
        var copy = self
        copy.timeline = []
        return copy
    }
}

/// Where an episode stands, derived from its referrals, care plans and handoffs.
public enum EpisodeStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// A referral exists and nobody has acknowledged it.
    case referred
    /// The performer accepted the referral.
    case accepted
    /// A care plan is active or care is under way.
    case active
    /// Responsibility for a phase has passed to another participant.
    case handedOff = "handed-off"
    /// The referral was declined or cancelled.
    case declined
    /// All referrals are completed and no care plan is active.
    case completed
}

/// Who the episode is about.
public struct PatientSummary: Sendable, Hashable, Codable {
    /// The key episodes are matched on: `system|value` of the first trusted identifier, or the reference.
    public var key: String
    public var identifiers: [Identifier]
    public var reference: String?
    public var name: String?
    public var birthDate: String?

    public init(
        key: String,
        identifiers: [Identifier] = [],
        reference: String? = nil,
        name: String? = nil,
        birthDate: String? = nil
    ) {
        self.key = key
        self.identifiers = identifiers
        self.reference = reference
        self.name = name
        self.birthDate = birthDate
    }
}

/// A business identifier (`Identifier.system` and `Identifier.value`).
public struct Identifier: Sendable, Hashable, Codable, Comparable {
    public var system: String?
    public var value: String

    public init(system: String?, value: String) {
        self.system = system
        self.value = value
    }

    /// `system|value`, the FHIR search token form.
    public var token: String { "\(self.system ?? "")|\(self.value)" }

    public static func < (lhs: Identifier, rhs: Identifier) -> Bool { lhs.token < rhs.token }
}
