public import FHIRCore

/// One resource to create or update, prepared by the server: serialised, with its keys extracted.
///
/// Every write belongs to the message's sender (``ReceivedMessage/sender``), who owns what it creates:
/// ids in ``Mode`` are the gateway's ids, which the server planned from the sender's own ids.
///
/// The store does not parse FHIR. ``content`` is the resource as JSON *without* `id`, `meta.versionId`
/// and `meta.lastUpdated`; the store keeps those in columns, and the server puts them back when it
/// renders a read. Two writes with equal content are therefore the same resource state, whatever id or
/// version they were sent with, and the second makes no new version.
public struct ResourceWrite: Sendable, Hashable {
    /// Create (POST) or update (PUT).
    public enum Mode: Sendable, Hashable {
        /// A create with a server-assigned id. When ``ResourceWrite/identifierKey`` names a resource of the
        /// same sender, the write updates that one instead (idempotent ingest). `ifNoneExist` is an
        /// identifier token (`system|value`): when exactly one current resource of the sender and type
        /// carries it, nothing is written and that resource is returned.
        case create(proposedID: String, ifNoneExist: String?)
        /// An update of the sender's resource with this id, creating it when it does not exist (the id
        /// of another sender's resource is refused with ``StoreError/Code/idTaken``). When the resource is
        /// new and ``ResourceWrite/identifierKey`` names another resource of the sender, that one is
        /// updated instead. `ifMatch` is the version the client based its change on.
        case update(id: String, ifMatch: Int?)
        /// A conditional update (`PUT Type?identifier=system|value`, FHIR R4 §3.1.0.4.3) among the
        /// sender's resources: exactly one current match is updated; none creates the resource as `proposedID`; more than one fails with
        /// ``StoreError/Code/multipleMatches``. Decided inside the writer, so concurrent conditional
        /// updates of the same identifier never create two resources.
        case conditionalUpdate(identifier: String, proposedID: String)
        /// The deletion of the sender's resource with this id (FHIR R4 §3.1.0.7): a new version that
        /// holds no content, after which reads answer 410 and searches find nothing. Deleting what is
        /// deleted already, or never existed, writes nothing (``WriteResult/Disposition/unchanged``).
        case delete(id: String)
    }

    public var type: String
    public var mode: Mode
    public var content: [UInt8]
    /// The business identifier (`system|value`) that makes ingest idempotent: set for ServiceRequest,
    /// CarePlan and Task, nil for other types. Unique per sender and type in the database: one sender's
    /// referral is never another's.
    public var identifierKey: String?
    /// Every identifier token of the resource, for conditional create.
    public var identifiers: [String]
    /// The resource's search tokens (`status active`, `subject Patient/p1`): written beside its
    /// identifier tokens, for search (``ResourceQuery``).
    public var searchTokens: [String]
    /// Set when the proposed id already appears in other resources of the same message (rewritten
    /// `urn:uuid` references): the write then fails with ``StoreError/Code/duplicate`` rather than
    /// resolve to another resource's id (a conditional match, or the holder of the business identifier,
    /// that changed since the server planned the message; the server plans again and retries).
    public var idIsReferenced: Bool
    /// The id the sender gave the resource (`Resource.id`, a PUT URL's id, a transaction entry's
    /// resource id), recorded as the sender's alias of the stored resource so that the sender's later
    /// references and PUTs find it. Nil when the sender gave none.
    public var senderID: String?
    /// The resource as the server read it (references rewritten), handed to the normaliser with its
    /// stored id and version once written; nil keeps the write out of episodes.
    public var resource: Element?

    public init(
        type: String,
        mode: Mode,
        content: [UInt8],
        identifierKey: String? = nil,
        identifiers: [String] = [],
        searchTokens: [String] = [],
        idIsReferenced: Bool = false,
        senderID: String? = nil,
        resource: Element? = nil
    ) {
        self.type = type
        self.mode = mode
        self.content = content
        self.identifierKey = identifierKey
        self.identifiers = identifiers
        self.searchTokens = searchTokens
        self.idIsReferenced = idIsReferenced
        self.senderID = senderID
        self.resource = resource
    }
}
