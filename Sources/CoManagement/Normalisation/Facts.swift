import FHIRCore

/// What the normaliser learned from one held resource, before resources are grouped into episodes.
///
/// Facts are per resource and independent of every other fact, which is what makes the derived
/// episodes independent of the order resources arrived in.
struct PartyFact: Hashable {
    var party: Party
    /// Role-naming codes found on the party itself (PractitionerRole code and specialty, qualification).
    var roleCodes: [Coding]
}

struct ReferralFact {
    var item: HeldResource
    var patient: PatientSummary?
    var referral: Referral
    var serviceCodes: [Coding]
    var requester: PartyFact?
    var performer: PartyFact?
    var performerRoleCodes: [Coding]
}

struct TaskFact {
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

struct CarePlanFact {
    var item: HeldResource
    var patient: PatientSummary?
    var plan: CarePlanSummary
    var referralKeys: [String]
    var serviceCodes: [Coding]
}

struct CareTeamFact {
    struct Member {
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

struct ConsentFact {
    var item: HeldResource
    var patient: PatientSummary?
    var status: String?
    var decision: String?
    var deniedParties: [String]
    var permittedParties: [String]
    var purposes: [Coding]
    var period: Period?
}

struct CommunicationFact {
    var item: HeldResource
    var patient: PatientSummary?
    var status: String?
    var referralKeys: [String]
    var reportCodes: [Coding]
    var sender: PartyFact?
    var at: String?
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
