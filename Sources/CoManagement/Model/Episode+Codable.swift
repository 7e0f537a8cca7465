extension Episode: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, patient, serviceLine, status, participants, referrals, carePlans, handoffs, consent, reports, tasks
        case timeline, measures, sources
    }

    /// Reads an episode document; one written before hand-off tasks existed has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            patient: try container.decode(PatientSummary.self, forKey: .patient),
            serviceLine: try container.decode(String.self, forKey: .serviceLine)
        )
        self.status = try container.decode(EpisodeStatus.self, forKey: .status)
        self.participants = try container.decode([Participant].self, forKey: .participants)
        self.referrals = try container.decode([Referral].self, forKey: .referrals)
        self.carePlans = try container.decode([CarePlanSummary].self, forKey: .carePlans)
        self.handoffs = try container.decode([Handoff].self, forKey: .handoffs)
        self.consent = try container.decode(ConsentState.self, forKey: .consent)
        self.reports = try container.decode([Report].self, forKey: .reports)
        self.tasks = try container.decodeIfPresent([HandoffTask].self, forKey: .tasks) ?? []
        self.timeline = try container.decode([TimelineEvent].self, forKey: .timeline)
        self.measures = try container.decode(Measures.self, forKey: .measures)
        self.sources = try container.decode([String].self, forKey: .sources)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.patient, forKey: .patient)
        try container.encode(self.serviceLine, forKey: .serviceLine)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.participants, forKey: .participants)
        try container.encode(self.referrals, forKey: .referrals)
        try container.encode(self.carePlans, forKey: .carePlans)
        try container.encode(self.handoffs, forKey: .handoffs)
        try container.encode(self.consent, forKey: .consent)
        try container.encode(self.reports, forKey: .reports)
        try container.encode(self.tasks, forKey: .tasks)
        try container.encode(self.timeline, forKey: .timeline)
        try container.encode(self.measures, forKey: .measures)
        try container.encode(self.sources, forKey: .sources)
    }
}
