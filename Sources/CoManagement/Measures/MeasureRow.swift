/// The figures of one service line for one partner (or for all of them): what `GET /measures` answers,
/// what the `MeasureReport` and the Prometheus gauges carry.
public struct MeasureRow: Sendable, Hashable, Codable {
    /// How the returned reports kept their due dates, and how many are overdue now.
    public struct ReportTimeliness: Sendable, Hashable, Codable {
        /// Returned at or before their due time.
        public var onTime = 0
        /// Returned after it.
        public var late = 0
        /// Not returned and past due when the episode was last evaluated.
        public var overdue = 0
        /// Not returned and not yet due.
        public var pending = 0

        public init() {}
    }

    /// Items past their deadline and still open, when each episode was last evaluated.
    public struct OpenOverdue: Sendable, Hashable, Codable {
        public var activities = 0
        public var reports = 0
        /// Referrals past their acceptance deadline with no answer.
        public var referrals = 0
        /// Handoffs past their acknowledgement deadline with no answer (escalated hand-off tasks).
        public var handoffs = 0

        public init() {}

        public var total: Int { self.activities + self.reports + self.referrals + self.handoffs }
    }

    public var serviceLine: String
    /// The partner the row is for; nil for every episode of the service line.
    public var partner: String?
    public var episodes: Int
    /// Episode count by ``EpisodeStatus`` raw value; statuses with no episode are absent.
    public var episodesByStatus: [String: Int]
    /// Hours from each root referral's `authoredOn` to its acceptance.
    public var referralTurnaround: Distribution
    /// Hours from each handoff taking effect to its first acknowledgement.
    public var handoffAcknowledgement: Distribution
    public var reportTimeliness: ReportTimeliness
    public var openOverdue: OpenOverdue
}
