/// A report the episode expects back (a post-operative report, a consult note), returned or overdue.
public struct Report: Sendable, Hashable, Codable {
    public var key: String
    /// The report kind from the service line's mapping (`post-operative-report`).
    public var kind: String
    /// The participant expected to send it.
    public var from: String?
    public var dueBy: String?
    public var returnedAt: String?
    public var source: String?
    public var overdue: Bool

    public init(key: String, kind: String) {
        self.key = key
        self.kind = kind
        self.overdue = false
    }
}
