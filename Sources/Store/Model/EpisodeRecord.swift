public import struct Foundation.Date

/// One stored episode: its keys and its document (the episode as JSON, timeline and measures included).
public struct EpisodeRecord: Sendable, Hashable {
    public var id: String
    public var patientKey: String
    public var serviceLine: String
    public var status: String
    /// The episode document of this one episode (JSON, keys sorted).
    public var document: [UInt8]
    public var updatedAt: Date

    public init(id: String, patientKey: String, serviceLine: String, status: String, document: [UInt8], updatedAt: Date)
    {
        self.id = id
        self.patientKey = patientKey
        self.serviceLine = serviceLine
        self.status = status
        self.document = document
        self.updatedAt = updatedAt
    }
}

/// Which episodes to list: every given filter must match.
public struct EpisodeQuery: Sendable, Hashable {
    /// The patient key (`system|value` of a trusted identifier, as episodes are matched on).
    public var patientKey: String?
    public var serviceLine: String?
    public var status: String?
    /// Only episodes holding a resource this sender owns.
    public var sender: String?
    /// Only episodes this partner has been routed (see ``Store/episodes(_:routedTo:)``).
    public var partner: String?
    public var limit: Int
    /// Pages through every live episode in id order: only those whose id sorts after this one (`""` for
    /// the first page), of ``serviceLine`` when set; the other filters do not apply then.
    public var afterID: String?

    public init(
        patientKey: String? = nil,
        serviceLine: String? = nil,
        status: String? = nil,
        sender: String? = nil,
        partner: String? = nil,
        limit: Int = 100,
        afterID: String? = nil
    ) {
        self.patientKey = patientKey
        self.serviceLine = serviceLine
        self.status = status
        self.sender = sender
        self.partner = partner
        self.limit = limit
        self.afterID = afterID
    }
}
