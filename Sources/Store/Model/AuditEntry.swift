public import struct Foundation.Date

/// One audit record: an accepted message, a refusal, or (later) a delivery attempt; renderable as a FHIR
/// AuditEvent. Never holds message bodies or patient data, only references and codes.
public struct AuditEntry: Sendable, Hashable {
    /// `AuditEvent.outcome` (http://hl7.org/fhir/ValueSet/audit-event-outcome).
    public enum Outcome: String, Sendable, Hashable {
        case success = "0"
        case minorFailure = "4"
        case seriousFailure = "8"
        case majorFailure = "12"
    }

    /// The record's number in the store; nil until stored.
    public var id: Int64?
    public var at: Date
    /// What happened: `create`, `update`, `unchanged`, `matched`, `rejected`, ….
    public var action: String
    public var outcome: Outcome
    public var sender: String?
    /// `Type/id/_history/n`, or `Type` when no resource was stored.
    public var resourceReference: String?
    public var messageID: Int64?
    public var correlationID: String?
    /// A short reason: an error code or status, never content.
    public var detail: String?

    public init(
        id: Int64? = nil,
        at: Date,
        action: String,
        outcome: Outcome,
        sender: String? = nil,
        resourceReference: String? = nil,
        messageID: Int64? = nil,
        correlationID: String? = nil,
        detail: String? = nil
    ) {
        self.id = id
        self.at = at
        self.action = action
        self.outcome = outcome
        self.sender = sender
        self.resourceReference = resourceReference
        self.messageID = messageID
        self.correlationID = correlationID
        self.detail = detail
    }
}
