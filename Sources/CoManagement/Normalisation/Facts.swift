import FHIRCore

/// What the normaliser learned from one held resource, before resources are grouped into episodes.
///
/// Facts are per resource and independent of every other fact, which is what makes the derived
/// episodes independent of the order resources arrived in.
struct PartyFact: Hashable, Sendable {
    var party: Party
    /// Role-naming codes found on the party itself (PractitionerRole code and specialty, qualification).
    var roleCodes: [Coding]
}

struct ReferralFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    var triggered: [(line: ServiceLine, opening: EpisodeOpening)] = []
    var item: HeldResource
    var patient: PatientSummary?
    var referral: Referral
    var serviceCodes: [Coding]
    var requester: PartyFact?
    var performer: PartyFact?
    var performerRoleCodes: [Coding]
}

struct TaskFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    var triggered: [(line: ServiceLine, opening: EpisodeOpening)] = []
    var item: HeldResource
    var patient: PatientSummary?
    /// Keys of the referrals the Task is about (`focus`, `basedOn`).
    var referralKeys: [String]
    var status: String?
    /// The business status translated to Tandem's referral statuses, when a ConceptMap says.
    var businessStatus: String?
    var owner: PartyFact?
    var at: String?
    var serviceCodes: [Coding]

    /// What the Task says about the referral: `accepted`, `declined`, `completed`, or nil.
    var referralOutcome: String? {
        if let businessStatus { return businessStatus }
        switch self.status {
        case "accepted", "in-progress": return "accepted"
        case "rejected": return "declined"
        case "completed": return "completed"
        default: return nil
        }
    }

    /// Whether the owner took responsibility (for handoff acknowledgements).
    var acknowledges: Bool {
        self.businessStatus == "accepted" || ["accepted", "in-progress", "completed"].contains(self.status ?? "")
    }
}

struct CarePlanFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    var triggered: [(line: ServiceLine, opening: EpisodeOpening)] = []
    var item: HeldResource
    var patient: PatientSummary?
    var plan: CarePlanSummary
    var referralKeys: [String]
    var serviceCodes: [Coding]
}

struct CareTeamFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    var triggered: [(line: ServiceLine, opening: EpisodeOpening)] = []
    struct Member: Sendable {
        var party: PartyFact
        var roleCodes: [Coding]
        var period: Period?
    }

    var item: HeldResource
    var patient: PatientSummary?
    var referralKeys: [String]
    var serviceCodes: [Coding]
    var members: [Member]
}

struct ConsentFact: Sendable {
    var item: HeldResource
    var patient: PatientSummary?
    var status: String?
    var decision: String?
    var deniedParties: [String]
    var permittedParties: [String]
    var purposes: [Coding]
    var period: Period?
}

struct CommunicationFact: Sendable {
    /// The service lines that expect a report with one of `reportCodes` (read once).
    var reportLines: [ServiceLine] = []
    var item: HeldResource
    var patient: PatientSummary?
    var status: String?
    var referralKeys: [String]
    var reportCodes: [Coding]
    var sender: PartyFact?
    var at: String?
}

/// What one held resource says, read once and kept until a resource it depends on changes
/// (``EpisodeBook``).
struct ReadFact: Sendable {
    enum Kind: Sendable {
        case referral(ReferralFact)
        case task(TaskFact)
        case carePlan(CarePlanFact)
        case careTeam(CareTeamFact)
        case consent(ConsentFact)
        case communication(CommunicationFact)
    }

    var kind: Kind
    /// What reading the resource found wrong with it.
    var issues: [Issue]
    /// The names the reading looked up, the resource's own key included (``FactDependencies``).
    var dependencies: Set<String>
    /// Set by the book when it keeps the fact: a new number each time the fact is read again, so that
    /// an episode built from the same revisions of the same facts need not be built again.
    var revision = 0
}

/// All facts from the held resources, in key order, and what was wrong with each resource.
struct Facts {
    var referrals: [ReferralFact] = []
    var tasks: [TaskFact] = []
    var carePlans: [CarePlanFact] = []
    var careTeams: [CareTeamFact] = []
    var consents: [ConsentFact] = []
    var communications: [CommunicationFact] = []
    /// Resource key → issues found while reading it.
    var issues: [String: [Issue]] = [:]

    mutating func warn(_ item: HeldResource, _ code: Issue.Code, path: String? = nil, _ message: String) {
        self.issues[item.key, default: []].append(Issue(.warning, code, path: path ?? item.resource.type, message))
    }
}

extension Facts {
    /// The facts of `read`, in key order, with the issues their reading raised.
    init(_ read: [String: ReadFact]) {
        self.init()
        for key in read.keys.sorted() {
            let fact = read[key]!
            if !fact.issues.isEmpty { self.issues[key] = fact.issues }
            switch fact.kind {
            case .referral(let value): self.referrals.append(value)
            case .task(let value): self.tasks.append(value)
            case .carePlan(let value): self.carePlans.append(value)
            case .careTeam(let value): self.careTeams.append(value)
            case .consent(let value): self.consents.append(value)
            case .communication(let value): self.communications.append(value)
            }
        }
    }
}
