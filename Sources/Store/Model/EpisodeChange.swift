/// A new state of one co-management episode and the timeline events that led to it.
///
/// The store treats the document and payloads as opaque JSON; the co-management target makes them.
/// Event numbers are unique per episode in the database, so two messages that raced to append the same
/// number fail one of them with ``StoreError/Code/duplicate`` instead of forking the timeline.
public struct EpisodeChange: Sendable, Hashable {
    /// One numbered timeline event.
    public struct Event: Sendable, Hashable {
        public var number: Int
        public var kind: String
        public var payload: [UInt8]

        public init(number: Int, kind: String, payload: [UInt8]) {
            self.number = number
            self.kind = kind
            self.payload = payload
        }
    }

    public var episodeID: String
    public var patientKey: String
    public var serviceLine: String
    public var status: String
    /// The episode document (JSON).
    public var document: [UInt8]
    public var events: [Event]

    public init(
        episodeID: String,
        patientKey: String,
        serviceLine: String,
        status: String,
        document: [UInt8],
        events: [Event]
    ) {
        self.episodeID = episodeID
        self.patientKey = patientKey
        self.serviceLine = serviceLine
        self.status = status
        self.document = document
        self.events = events
    }
}
