/// Figures derived from an episode, for the people who watch co-management work.
public struct Measures: Sendable, Hashable, Codable {
    /// Hours from the first referral's `authoredOn` to its acceptance.
    public var hoursToAcknowledgement: Double?
    /// Hours from the first referral's `authoredOn` to its completion.
    public var referralTurnaroundHours: Double?
    public var overdueActivities: Int
    public var overdueReports: Int
    /// The time the episode was evaluated against, for overdue figures.
    public var evaluatedAt: String?

    public init() {
        self.overdueActivities = 0
        self.overdueReports = 0
    }
}
