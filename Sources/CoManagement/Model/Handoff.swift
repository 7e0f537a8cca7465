/// A transfer of responsibility for a phase from one participant to another.
///
/// Learned from a CareTeam in which one participant's period ends and another's begins, or from a Task
/// or CarePlan the mappings mark as a handoff. Acknowledged when the receiving party accepts.
public struct Handoff: Sendable, Hashable, Codable {
    public var phase: String
    /// Participant keys.
    public var from: String
    public var to: String
    public var effective: String?
    public var acknowledgements: [Acknowledgement]
    public var source: String

    public init(phase: String, from: String, to: String, effective: String?, source: String) {
        self.phase = phase
        self.from = from
        self.to = to
        self.effective = effective
        self.acknowledgements = []
        self.source = source
    }
}

/// A party's confirmation that it took responsibility.
public struct Acknowledgement: Sendable, Hashable, Codable {
    public var by: String
    public var at: String?
    public var source: String

    public init(by: String, at: String?, source: String) {
        self.by = by
        self.at = at
        self.source = source
    }
}
