public import CoManagement

/// One live episode's measure facts, as ``Store/measureFacts(serviceLine:afterID:limit:)`` pages them.
public struct EpisodeMeasureFacts: Sendable, Hashable {
    public var episodeID: String
    public var facts: MeasureFacts

    public init(episodeID: String, facts: MeasureFacts) {
        self.episodeID = episodeID
        self.facts = facts
    }
}
