public import struct Foundation.Date

/// One audit record: an accepted message, a read or search, a refusal, a delivery decision; renderable as a
/// FHIR AuditEvent. Never holds message bodies, only references, identifiers and codes.
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
    /// Who acted: the sender's name, or the partner's, operator's or client's (see ``role``).
    public var sender: String?
    /// The role of ``sender`` (`sender`, `partner`, `operator`); nil for a sender's writes, as before roles,
    /// and for requests whose caller is not known.
    public var role: String?
    /// The patient the access concerned, when known: `Patient/id`, or the `system|value` searched for.
    public var patient: String?
    /// The network address the request came from.
    public var source: String?
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
        detail: String? = nil,
        role: String? = nil,
        patient: String? = nil,
        source: String? = nil
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
        self.role = role
        self.patient = patient
        self.source = source
    }
}
