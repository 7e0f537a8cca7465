/// A care plan in the episode: its activities, each with the party responsible for it.
public struct CarePlanSummary: Sendable, Hashable, Codable {
    public var key: String
    public var reference: String?
    /// `CarePlan.status` (required binding RequestStatus).
    public var status: String
    public var intent: String
    public var title: String?
    public var period: Period?
    public var activities: [Activity]

    public init(key: String, status: String, intent: String) {
        self.key = key
        self.status = status
        self.intent = intent
        self.activities = []
    }
}

/// One `CarePlan.activity`: what is to be done, by whom, by when.
public struct Activity: Sendable, Hashable, Codable {
    /// Position-independent key: the activity's code, else its description, else its index.
    public var key: String
    public var code: Coding?
    public var description: String?
    /// `CarePlan.activity.detail.status` (required binding CarePlanActivityStatus).
    public var status: String
    /// Phase the activity belongs to, when the mappings say.
    public var phase: String?
    /// The participant responsible (`detail.performer`, else the phase's owner).
    public var responsible: Party?
    public var scheduledStart: String?
    /// When it is due: the end of `scheduledPeriod`, or `scheduledString`/timing as the mappings read it.
    public var dueBy: String?
    /// Whether it is past `dueBy` and not completed at the time the episode was evaluated.
    public var overdue: Bool

    public init(key: String, status: String) {
        self.key = key
        self.status = status
        self.overdue = false
    }
}

extension Activity {
    /// Whether the activity needs nothing more: completed, cancelled, stopped or entered in error.
    public var isFinished: Bool {
        ["completed", "cancelled", "stopped", "entered-in-error"].contains(self.status)
    }
}
