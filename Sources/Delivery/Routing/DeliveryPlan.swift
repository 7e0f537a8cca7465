public import CoManagement
public import Store

/// A decision that consent does not permit a partner to hear of an episode change: audited, not sent.
public struct ConsentDecision: Sendable, Hashable {
    public var partnerID: String
    public var episodeID: String
    /// The timeline event number the refusal concerns.
    public var timelineEventNumber: Int
    /// The keys consent was asked about: the partner's represented identifiers and its participants' keys.
    public var partyKeys: [String]
    /// The episode's base consent decision at the time.
    public var consent: ConsentState.Decision
    /// The Consent resources the decision rests on (empty when the configured default decided).
    public var consentSources: [String]
    /// Why, in words, for the audit trail.
    public var reason: String

    public init(
        partnerID: String,
        episodeID: String,
        timelineEventNumber: Int,
        partyKeys: [String],
        consent: ConsentState.Decision,
        consentSources: [String],
        reason: String
    ) {
        self.partnerID = partnerID
        self.episodeID = episodeID
        self.timelineEventNumber = timelineEventNumber
        self.partyKeys = partyKeys
        self.consent = consent
        self.consentSources = consentSources
        self.reason = reason
    }
}

/// What ``DeliveryPlanner`` decided for one change: the deliveries to write and the refusals to audit.
public struct DeliveryPlan: Sendable, Hashable {
    public var deliveries: [PlannedDelivery]
    public var refusals: [ConsentDecision]

    public init(deliveries: [PlannedDelivery] = [], refusals: [ConsentDecision] = []) {
        self.deliveries = deliveries
        self.refusals = refusals
    }
}
