/// Durable storage for everything the gateway accepts: messages, resource versions, episodes, audit.
///
/// The server depends on this protocol only; ``SQLiteStore`` is the embedded implementation. Every
/// method may suspend while the database works on a thread pool; none blocks the caller's thread.
public protocol Store: Sendable {
    /// Writes one accepted message and everything it changes in one transaction, returning once the
    /// transaction is durably committed.
    ///
    /// - Throws: ``StoreError`` with ``StoreError/Code/versionConflict``, ``StoreError/Code/duplicate``
    ///   or ``StoreError/Code/multipleMatches`` (and ``StoreError/entry`` set) when a write of an atomic
    ///   message is refused; nothing of the message is then stored. Any other code means the commit
    ///   failed and nothing is stored either.
    func ingest(_ message: IngestMessage) async throws(StoreError) -> IngestResult

    /// The current version of a resource, or nil when there is none.
    func read(type: String, id: String) async throws(StoreError) -> StoredResource?

    /// One version of a resource, or nil when there is no such version.
    func read(type: String, id: String, version: Int) async throws(StoreError) -> StoredResource?

    /// Every version of a resource, newest first; empty when the resource does not exist.
    func history(type: String, id: String) async throws(StoreError) -> [StoredResource]

    /// The current resources of a type that carry the identifier token (`system|value`).
    func search(type: String, identifier token: String) async throws(StoreError) -> [StoredResource]

    /// The id of the current resource of a type whose business identifier (``ResourceWrite/identifierKey``)
    /// is `key`, or nil. Lets the server plan references to it before writing; the write checks again.
    func resourceID(type: String, identifierKey key: String) async throws(StoreError) -> String?

    /// Records an audit entry on its own, for decisions that store no message (refusals).
    func record(_ entry: AuditEntry) async throws(StoreError)

    /// Audit entries, newest first.
    func auditTrail(limit: Int) async throws(StoreError) -> [AuditEntry]

    /// Succeeds when the database answers a trivial query: the readiness check.
    func ping() async throws(StoreError)
}
