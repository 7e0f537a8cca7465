/// Who shares an episode and what the patient consented to: the part of an ``Episode`` that routing and
/// both consent checks decide on.
///
/// It decodes from an episode's JSON (the stored episode document) by reading only these members, so the
/// delivery service's second consent check, just before each send, does not decode the whole episode and
/// its growing timeline for every claimed row.
public struct EpisodeParties: Sendable, Hashable, Codable {
    public var id: String
    /// The kind of co-management (``Episode/serviceLine``).
    public var serviceLine: String
    public var participants: [Participant]
    public var consent: ConsentState

    public init(id: String, serviceLine: String, participants: [Participant], consent: ConsentState) {
        self.id = id
        self.serviceLine = serviceLine
        self.participants = participants
        self.consent = consent
    }
}

extension Episode {
    /// The episode's parties and consent, for routing.
    public var parties: EpisodeParties {
        EpisodeParties(
            id: self.id,
            serviceLine: self.serviceLine,
            participants: self.participants,
            consent: self.consent
        )
    }
}
