public import struct Foundation.Date

/// A search of the audit trail (`GET /fhir/AuditEvent`): each field present narrows it; the values of one
/// field are alternatives. Pages run from the newest record back, or from the oldest forward.
public struct AuditQuery: Sendable, Hashable {
    /// `date` (and `_lastUpdated`) at or after this moment.
    public var from: Date?
    /// `date` before this moment.
    public var before: Date?
    /// `agent`: the acting account's name.
    public var agents: [String]?
    /// `entity`: a resource the record names (`ServiceRequest/sr-1`, any version of it) or its patient.
    public var entities: [String]?
    /// `type`: records of deliveries to partners (true) or of REST interactions (false).
    public var deliveries: Bool?
    /// `outcome`: AuditEvent outcome codes (`0`, `4`, `8`, `12`).
    public var outcomes: [String]?
    public var newestFirst: Bool
    /// The page starts after this record number, in the query's order.
    public var after: Int64?
    public var count: Int

    public init(
        from: Date? = nil,
        before: Date? = nil,
        agents: [String]? = nil,
        entities: [String]? = nil,
        deliveries: Bool? = nil,
        outcomes: [String]? = nil,
        newestFirst: Bool = true,
        after: Int64? = nil,
        count: Int = 100
    ) {
        self.from = from
        self.before = before
        self.agents = agents
        self.entities = entities
        self.deliveries = deliveries
        self.outcomes = outcomes
        self.newestFirst = newestFirst
        self.after = after
        self.count = max(0, count)
    }
}

/// One page of audit records, and how many match in all.
public struct AuditPage: Sendable, Hashable {
    public var entries: [AuditEntry]
    public var total: Int

    public init(entries: [AuditEntry], total: Int) {
        self.entries = entries
        self.total = total
    }
}
