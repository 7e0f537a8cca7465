/// A referral (`ServiceRequest`) and its lifecycle as Tasks and status changes reported it.
public struct Referral: Sendable, Hashable, Codable {
    /// Stable key: the first business identifier's token, else `ServiceRequest/id`.
    public var key: String
    public var identifiers: [Identifier]
    public var reference: String?
    /// `ServiceRequest.status` (required binding RequestStatus).
    public var status: String
    public var intent: String
    public var priority: String?
    public var code: Coding?
    public var requester: Party?
    public var performer: Party?
    public var reasons: [Coding]
    /// Keys of the referrals this one is based on (`basedOn`): the referral chain.
    public var basedOn: [String]
    public var lifecycle: ReferralLifecycle

    public init(key: String, status: String, intent: String) {
        self.key = key
        self.identifiers = []
        self.status = status
        self.intent = intent
        self.reasons = []
        self.basedOn = []
        self.lifecycle = ReferralLifecycle()
    }
}

extension Referral {
    /// Whether anyone answered the referral: accepted, declined, completed or cancelled it.
    public var isAnswered: Bool {
        let life = self.lifecycle
        return life.acceptedAt != nil || life.declinedAt != nil || life.completedAt != nil || life.cancelledAt != nil
            || life.businessStatus != nil || ["revoked", "completed", "entered-in-error"].contains(self.status)
    }
}

/// When each step of a referral happened (FHIR dateTime, as the messages gave it).
public struct ReferralLifecycle: Sendable, Hashable, Codable {
    /// `ServiceRequest.authoredOn`.
    public var requestedAt: String?
    /// A Task on the referral with business status or status `accepted`.
    public var acceptedAt: String?
    public var declinedAt: String?
    /// Status `completed` on the ServiceRequest or its Task.
    public var completedAt: String?
    public var cancelledAt: String?
    /// The Task's `businessStatus` as translated by the mappings (`accepted`, `declined`, `completed`).
    public var businessStatus: String?
    /// When the performer should have answered by: `authoredOn` plus the service line's
    /// `acceptanceWithinHours`; absent when the service line sets no deadline.
    public var answerDueBy: String?
    /// True once ``answerDueBy`` passed, at the time the episode was evaluated, with no answer; absent
    /// otherwise (an answer, however late, clears it).
    public var unanswered: Bool?

    public init() {}
}

/// A code with its system (`Coding.system`, `Coding.code`, `Coding.display`).
public struct Coding: Sendable, Hashable, Codable {
    public var system: String?
    public var code: String
    public var display: String?

    public init(system: String?, code: String, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }
}
