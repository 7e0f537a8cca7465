public import CoManagement

/// What one run of the timers did (``Store/fireDueTimers(at:limit:)``): the partitions it evaluated and the
/// timeline events their deadlines recorded.
public struct FiredTimers: Sendable, Hashable {
    /// One recorded event, for counting by service line and kind.
    public struct Event: Sendable, Hashable {
        public var episodeID: String
        public var serviceLine: String
        public var kind: EventKind
        /// The deadline the event is about (the event's `at`), when it names one.
        public var due: String?
    }

    /// How many due partitions were evaluated.
    public var partitions: Int
    public var events: [Event]

    public init(partitions: Int = 0, events: [Event] = []) {
        self.partitions = partitions
        self.events = events
    }

    init(_ writes: [PartitionWrite]) {
        self.partitions = writes.count
        self.events = writes.flatMap { write in
            write.ingestion.changes.flatMap { change in
                change.events.map {
                    Event(
                        episodeID: change.episodeID,
                        serviceLine: change.episode.serviceLine,
                        kind: $0.kind,
                        due: $0.at
                    )
                }
            }
        }
    }
}
