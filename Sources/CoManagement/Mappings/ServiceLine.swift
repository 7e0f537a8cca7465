/// One kind of co-management, as `Mappings/service-lines/ID.json` describes it.
public struct ServiceLine: Sendable, Hashable {
    /// A role and the phases it is responsible for.
    public struct RolePhases: Sendable, Hashable {
        public var role: String
        public var phases: [String]
    }

    /// A transfer of a phase the service line expects, from one role to another.
    public struct HandoffRule: Sendable, Hashable {
        public var phase: String
        public var from: String
        public var to: String
    }

    /// A report the service line expects back after the handoff.
    public struct ReportRule: Sendable, Hashable {
        public var kind: String
        /// The role expected to send it.
        public var from: String
        /// Codes that identify the returned report on a Communication.
        public var codes: [Coding]
        public var dueDaysAfterHandoff: Int
    }

    /// What the service line expects of its parties, and when: the deadlines the timers of `tandem serve`
    /// watch (`Mappings/service-lines/ID.json`, `expectations`).
    public struct Expectations: Sendable, Hashable {
        /// Hours from a referral's `authoredOn` within which its performer should accept or decline it;
        /// past them an unanswered referral records `referral-unanswered`. Nil: no deadline.
        public var acceptanceWithinHours: Int?
        /// Days (counted in ``timeZone``) from a handoff's effective date within which the receiving party
        /// should acknowledge it; the hand-off Task is due at the end of the last day. Nil: no deadline.
        public var acknowledgementWithinDays: Int?
        /// The IANA time zone due days are counted in (`America/New_York`); nil counts them in the
        /// sender's, the offset its timestamps carry.
        public var timeZone: String?

        public init(acceptanceWithinHours: Int? = nil, acknowledgementWithinDays: Int? = nil, timeZone: String? = nil) {
            self.acceptanceWithinHours = acceptanceWithinHours
            self.acknowledgementWithinDays = acknowledgementWithinDays
            self.timeZone = timeZone
        }
    }

    /// The service line's name, also its file name (`ophthalmology.cataract`).
    public var id: String
    public var title: String
    /// Canonical URLs of the ValueSets (`Mappings/value-sets/`) whose codes trigger the service line.
    public var triggers: [String]
    /// Phases in order.
    public var phases: [String]
    /// Roles in the order the file lists them.
    public var roles: [RolePhases]
    /// Role of a referral's requester when nothing more specific names one.
    public var requesterRole: String
    /// Role of a referral's performer when nothing more specific names one.
    public var performerRole: String
    public var handoffs: [HandoffRule]
    public var reports: [ReportRule]
    /// How quickly the service line expects each party to answer (``Expectations``); all absent when the
    /// file names none.
    public var expectations = Expectations()

    /// The phases the role is responsible for; empty for a role this service line does not know.
    public func phases(of role: String) -> [String] {
        self.roles.first { $0.role == role }?.phases ?? []
    }

    /// Whether the service line knows the role.
    public func knows(role: String) -> Bool {
        self.roles.contains { $0.role == role }
    }
}

/// The rules of `roles.json`: which codes name which co-management role.
public struct RoleTable: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public var system: String
        public var code: String
        public var role: String
    }

    public var rules: [Rule]

    /// The role the first coding with a rule names, in the codings' order.
    public func role(for codings: [Coding]) -> String? {
        for coding in codings {
            if let rule = self.rules.first(where: { $0.system == coding.system && $0.code == coding.code }) {
                return rule.role
            }
        }
        return nil
    }
}
