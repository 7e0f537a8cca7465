/// One resource to create or update, prepared by the server: serialised, with its keys extracted.
///
/// The store does not parse FHIR. ``content`` is the resource as JSON *without* `id`, `meta.versionId`
/// and `meta.lastUpdated`; the store keeps those in columns, and the server puts them back when it
/// renders a read. Two writes with equal content are therefore the same resource state, whatever id or
/// version they were sent with, and the second makes no new version.
public struct ResourceWrite: Sendable, Hashable {
    /// Create (POST) or update (PUT).
    public enum Mode: Sendable, Hashable {
        /// A create with a server-assigned id. When ``ResourceWrite/identifierKey`` names a resource that
        /// exists, the write updates that one instead (idempotent ingest). `ifNoneExist` is an identifier
        /// token (`system|value`): when exactly one current resource of the type carries it, nothing is
        /// written and that resource is returned.
        case create(proposedID: String, ifNoneExist: String?)
        /// An update of the resource with this id, creating it when it does not exist. `ifMatch` is the
        /// version the client based its change on.
        case update(id: String, ifMatch: Int?)
        /// A conditional update (`PUT Type?identifier=system|value`, FHIR R4 §3.1.0.4.3): exactly one
        /// current match is updated; none creates the resource as `proposedID`; more than one fails with
        /// ``StoreError/Code/multipleMatches``. Decided inside the writer, so concurrent conditional
        /// updates of the same identifier never create two resources.
        case conditionalUpdate(identifier: String, proposedID: String)
    }

    public var type: String
    public var mode: Mode
    public var content: [UInt8]
    /// The business identifier (`system|value`) that makes ingest idempotent: set for ServiceRequest,
    /// CarePlan and Task, nil for other types. Unique per type in the database.
    public var identifierKey: String?
    /// Every identifier token of the resource, for conditional create.
    public var identifiers: [String]
    /// Set when the proposed id already appears in other resources of the same message (rewritten
    /// `urn:uuid` references): the write then fails with ``StoreError/Code/duplicate`` rather than
    /// resolve to another resource's id (a conditional match, or the holder of the business identifier,
    /// that changed since the server planned the message; the server plans again and retries).
    public var idIsReferenced: Bool

    public init(
        type: String,
        mode: Mode,
        content: [UInt8],
        identifierKey: String? = nil,
        identifiers: [String] = [],
        idIsReferenced: Bool = false
    ) {
        self.type = type
        self.mode = mode
        self.content = content
        self.identifierKey = identifierKey
        self.identifiers = identifiers
        self.idIsReferenced = idIsReferenced
    }
}
