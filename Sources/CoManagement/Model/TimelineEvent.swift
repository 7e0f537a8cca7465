/// One numbered change to an episode, in the order Tandem learned of it.
///
/// Numbers start at 1 per episode and never repeat; delivery uses them as the partner-visible event
/// numbers, so a partner can detect gaps and duplicates.
public struct TimelineEvent: Sendable, Hashable, Codable {
    public var number: Int
    public var kind: EventKind
    /// The clinical time of the change when the resource gave one (authoredOn, period start, …).
    public var at: String?
    public var summary: String
    /// The resource that caused it: `ServiceRequest/sr-1/_history/2`.
    public var source: String
    /// The participants (keys) the event is for, when it is not for everyone the episode is routed to: a
    /// hand-off Task goes to its owner's side, its escalation to its requester's. Absent: everyone.
    public var audience: [String]?

    public init(number: Int, kind: EventKind, at: String?, summary: String, source: String, audience: [String]? = nil) {
        self.number = number
        self.kind = kind
        self.at = at
        self.summary = summary
        self.source = source
        self.audience = audience
    }
}

/// What kind of change a timeline event records; also the delivery topic it belongs to.
public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case episodeOpened = "episode-opened"
    case referralCreated = "referral-created"
    case referralUpdated = "referral-updated"
    case referralAccepted = "referral-accepted"
    case referralDeclined = "referral-declined"
    case referralCompleted = "referral-completed"
    case referralCancelled = "referral-cancelled"
    /// A referral's acceptance deadline passed with no answer (``ReferralLifecycle/answerDueBy``).
    case referralUnanswered = "referral-unanswered"
    case participantAdded = "participant-added"
    case participantChanged = "participant-changed"
    case carePlanCreated = "care-plan-created"
    case carePlanUpdated = "care-plan-updated"
    case activityChanged = "activity-changed"
    case activityOverdue = "activity-overdue"
    case handoff
    case handoffAcknowledged = "handoff-acknowledged"
    /// Tandem asked the receiving party of a hand-off to answer, with a Task of its own.
    case taskRequested = "task-requested"
    /// A hand-off's Task passed its due time unanswered; told to the requesting side.
    case escalation
    case consentChanged = "consent-changed"
    case reportReturned = "report-returned"
    case reportOverdue = "report-overdue"
    case statusChanged = "status-changed"
    /// A resource the episode held was deleted by its sender.
    case resourceWithdrawn = "resource-withdrawn"

    /// The delivery topic partners subscribe to (`referral`, `care-plan`, `handoff`, `consent`, `report`).
    public var topic: String {
        switch self {
        case .episodeOpened, .statusChanged, .participantAdded, .participantChanged, .resourceWithdrawn: "episode"
        case .referralCreated, .referralUpdated, .referralAccepted, .referralDeclined, .referralCompleted,
            .referralCancelled, .referralUnanswered:
            "referral"
        case .carePlanCreated, .carePlanUpdated, .activityChanged, .activityOverdue: "care-plan"
        case .handoff, .handoffAcknowledged, .taskRequested, .escalation: "handoff"
        case .consentChanged: "consent"
        case .reportReturned, .reportOverdue: "report"
        }
    }
}
