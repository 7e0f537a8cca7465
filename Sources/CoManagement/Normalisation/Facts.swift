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

final class ReferralFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    let triggered: [(line: ServiceLine, opening: EpisodeOpening)]
    let item: HeldResource
    let patient: PatientSummary?
    let referral: Referral
    let serviceCodes: [Coding]
    let requester: PartyFact?
    let performer: PartyFact?
    let performerRoleCodes: [Coding]

    init(
        triggered: [(line: ServiceLine, opening: EpisodeOpening)] = [],
        item: HeldResource,
        patient: PatientSummary?,
        referral: Referral,
        serviceCodes: [Coding],
        requester: PartyFact?,
        performer: PartyFact?,
        performerRoleCodes: [Coding]
    ) {
        self.triggered = triggered
        self.item = item
        self.patient = patient
        self.referral = referral
        self.serviceCodes = serviceCodes
        self.requester = requester
        self.performer = performer
        self.performerRoleCodes = performerRoleCodes
    }
}

final class TaskFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    let triggered: [(line: ServiceLine, opening: EpisodeOpening)]
    let item: HeldResource
    let patient: PatientSummary?
    /// Keys of the referrals the Task is about (`focus`, `basedOn`).
    let referralKeys: [String]
    let status: String?
    /// The business status translated to Tandem's referral statuses, when a ConceptMap says.
    let businessStatus: String?
    let owner: PartyFact?
    let at: String?
    let serviceCodes: [Coding]

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

    init(
        triggered: [(line: ServiceLine, opening: EpisodeOpening)] = [],
        item: HeldResource,
        patient: PatientSummary?,
        referralKeys: [String],
        status: String?,
        businessStatus: String?,
        owner: PartyFact?,
        at: String?,
        serviceCodes: [Coding]
    ) {
        self.triggered = triggered
        self.item = item
        self.patient = patient
        self.referralKeys = referralKeys
        self.status = status
        self.businessStatus = businessStatus
        self.owner = owner
        self.at = at
        self.serviceCodes = serviceCodes
    }
}

final class CarePlanFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    let triggered: [(line: ServiceLine, opening: EpisodeOpening)]
    let item: HeldResource
    let patient: PatientSummary?
    let plan: CarePlanSummary
    let referralKeys: [String]
    let serviceCodes: [Coding]

    init(
        triggered: [(line: ServiceLine, opening: EpisodeOpening)] = [],
        item: HeldResource,
        patient: PatientSummary?,
        plan: CarePlanSummary,
        referralKeys: [String],
        serviceCodes: [Coding]
    ) {
        self.triggered = triggered
        self.item = item
        self.patient = patient
        self.plan = plan
        self.referralKeys = referralKeys
        self.serviceCodes = serviceCodes
    }
}

final class CareTeamFact: Sendable {
    /// The service lines `serviceCodes` trigger, and whether each may open an episode (read once).
    let triggered: [(line: ServiceLine, opening: EpisodeOpening)]
    struct Member: Sendable {
        var party: PartyFact
        var roleCodes: [Coding]
        var period: Period?
    }

    let item: HeldResource
    let patient: PatientSummary?
    let referralKeys: [String]
    let serviceCodes: [Coding]
    let members: [Member]

    init(
        triggered: [(line: ServiceLine, opening: EpisodeOpening)] = [],
        item: HeldResource,
        patient: PatientSummary?,
        referralKeys: [String],
        serviceCodes: [Coding],
        members: [Member]
    ) {
        self.triggered = triggered
        self.item = item
        self.patient = patient
        self.referralKeys = referralKeys
        self.serviceCodes = serviceCodes
        self.members = members
    }
}

final class ConsentFact: Sendable {
    let item: HeldResource
    let patient: PatientSummary?
    let status: String?
    let decision: String?
    let deniedParties: [String]
    let permittedParties: [String]
    let purposes: [Coding]
    let period: Period?

    init(
        item: HeldResource,
        patient: PatientSummary?,
        status: String?,
        decision: String?,
        deniedParties: [String],
        permittedParties: [String],
        purposes: [Coding],
        period: Period?
    ) {
        self.item = item
        self.patient = patient
        self.status = status
        self.decision = decision
        self.deniedParties = deniedParties
        self.permittedParties = permittedParties
        self.purposes = purposes
        self.period = period
    }
}

final class CommunicationFact: Sendable {
    /// The service lines that expect a report with one of `reportCodes` (read once).
    let reportLines: [ServiceLine]
    let item: HeldResource
    let patient: PatientSummary?
    let status: String?
    let referralKeys: [String]
    let reportCodes: [Coding]
    let sender: PartyFact?
    let at: String?

    init(
        reportLines: [ServiceLine] = [],
        item: HeldResource,
        patient: PatientSummary?,
        status: String?,
        referralKeys: [String],
        reportCodes: [Coding],
        sender: PartyFact?,
        at: String?
    ) {
        self.reportLines = reportLines
        self.item = item
        self.patient = patient
        self.status = status
        self.referralKeys = referralKeys
        self.reportCodes = reportCodes
        self.sender = sender
        self.at = at
    }
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
        for key in read.keys.sorted() { self.insert(read[key]!, key: key) }
    }

    /// Adds the fact read from the resource under `key`, in key order (none is held under it yet).
    mutating func insert(_ fact: ReadFact, key: String) {
        if !fact.issues.isEmpty { self.issues[key] = fact.issues }
        switch fact.kind {
        case .referral(let value): Self.insert(value, into: &self.referrals)
        case .task(let value): Self.insert(value, into: &self.tasks)
        case .carePlan(let value): Self.insert(value, into: &self.carePlans)
        case .careTeam(let value): Self.insert(value, into: &self.careTeams)
        case .consent(let value): Self.insert(value, into: &self.consents)
        case .communication(let value): Self.insert(value, into: &self.communications)
        }
    }

    /// Takes out the fact read from the resource under `key`.
    mutating func remove(_ fact: ReadFact, key: String) {
        self.issues[key] = nil
        switch fact.kind {
        case .referral: Self.remove(key, from: &self.referrals)
        case .task: Self.remove(key, from: &self.tasks)
        case .carePlan: Self.remove(key, from: &self.carePlans)
        case .careTeam: Self.remove(key, from: &self.careTeams)
        case .consent: Self.remove(key, from: &self.consents)
        case .communication: Self.remove(key, from: &self.communications)
        }
    }

    private static func insert<Fact: HeldFact>(_ fact: Fact, into facts: inout [Fact]) {
        facts.insert(fact, at: self.position(of: fact.item.key, in: facts))
    }

    private static func remove<Fact: HeldFact>(_ key: String, from facts: inout [Fact]) {
        let index = self.position(of: key, in: facts)
        if index < facts.count, facts[index].item.key == key { facts.remove(at: index) }
    }

    /// The first index whose fact's key is not below `key` (facts are in key order).
    private static func position<Fact: HeldFact>(of key: String, in facts: [Fact]) -> Int {
        var low = 0
        var high = facts.count
        while low < high {
            let middle = (low + high) / 2
            if facts[middle].item.key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// A fact read from one held resource.
protocol HeldFact: AnyObject {
    var item: HeldResource { get }
}

extension ReferralFact: HeldFact {}
extension TaskFact: HeldFact {}

extension TaskFact {
    /// For a Task Tandem made itself (``HandoffTaskResources``), the key of the hand-off it is for; nil
    /// for a sender's Task.
    var tandemKey: String? {
        guard self.item.sender == HandoffTaskResources.sender else { return nil }
        return self.item.resource.children(named: "identifier")
            .first { $0.string("system") == HandoffTaskResources.identifierSystem }?.string("value") ?? ""
    }
}
extension CarePlanFact: HeldFact {}
extension CareTeamFact: HeldFact {}
extension ConsentFact: HeldFact {}
extension CommunicationFact: HeldFact {}
