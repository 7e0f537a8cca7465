public import CoManagement

/// Durable storage for everything the gateway accepts: messages, resource versions, episodes, audit.
///
/// The server depends on this protocol only; ``SQLiteStore`` is the embedded implementation. Every
/// method may suspend while the database works on a thread pool; none blocks the caller's thread.
public protocol Store: AuthorizationStore, SearchStore, SubscriptionStore {
    /// Writes one accepted message and everything it changes in one transaction, returning once the
    /// transaction is durably committed.
    ///
    /// - Throws: ``StoreError`` with ``StoreError/Code/versionConflict``, ``StoreError/Code/duplicate``
    ///   or ``StoreError/Code/multipleMatches`` (and ``StoreError/entry`` set) when a write of an atomic
    ///   message is refused; nothing of the message is then stored. Any other code means the commit
    ///   failed and nothing is stored either.
    func ingest(_ message: IngestMessage) async throws(StoreError) -> IngestResult

    /// Evaluates every episode's due dates at `time`: activities and reports past due become
    /// `activity-overdue` and `report-overdue` timeline events, written and planned for delivery as a
    /// message's changes are. Does nothing on a store that keeps no episodes.
    func evaluate(at time: FHIRInstant) async throws(StoreError)

    /// Evaluates, at `time`, up to `limit` partitions whose next deadline (``CoManagement/EpisodeBook/nextDue``,
    /// kept as an index beside each partition) is at or before `time`, as ``evaluate(at:)`` does, in one
    /// transaction: what fell overdue or went unanswered becomes timeline events written and planned for
    /// delivery as a message's changes are, and each partition's next deadline is kept. A partition is
    /// never evaluated at a time before the one it last was. Returns what it did; no partitions when none
    /// was due (or the store keeps no episodes).
    ///
    /// - Important: On PostgreSQL each due partition is claimed with `FOR UPDATE SKIP LOCKED`, so replicas
    ///   running their timers at once evaluate each partition once; a partition that a message holds is
    ///   skipped and found on a later run, still due.
    func fireDueTimers(at time: FHIRInstant, limit: Int) async throws(StoreError) -> FiredTimers

    /// Normalises with `normaliser`, over mappings of `version`, from now on, and records `version` as the
    /// one every replica must run (``ping()`` fails on a replica running another). Returns whether the
    /// recorded version changed: then the referrals the earlier mappings missed should be normalised again
    /// (``renormaliseUnmatched(limit:)``), and every partition is due for the timers
    /// (``fireDueTimers(at:limit:)``), since other mappings may set other deadlines. Does nothing on a store
    /// that keeps no episodes.
    func useMappings(_ normaliser: Normaliser, version: String) async throws(StoreError) -> Bool

    /// Normalises again, with the current mappings, the referrals of up to `limit` partitions that earlier
    /// mappings left in no episode, with the timeline events and deliveries that follow; returns how many
    /// partitions it did, 0 when none is left.
    func renormaliseUnmatched(limit: Int) async throws(StoreError) -> Int

    /// The referrals no episode holds because of their codes, the most recently found first.
    func unmatchedReferrals(limit: Int) async throws(StoreError) -> [UnmatchedRecord]

    /// The current version of a resource, or nil when there is none; for a deleted resource, the version
    /// that deleted it (``StoredResource/isDeletion``).
    func read(type: String, id: String) async throws(StoreError) -> StoredResource?

    /// One version of a resource, or nil when there is no such version.
    func read(type: String, id: String, version: Int) async throws(StoreError) -> StoredResource?

    /// Every version of a resource, newest first; empty when the resource does not exist.
    func history(type: String, id: String) async throws(StoreError) -> [StoredResource]

    /// The current resources of a type that carry the identifier token (`system|value`); only those of
    /// `owner` when given (conditional interactions stay inside the sender's own resources).
    func search(type: String, identifier token: String, owner: String?) async throws(StoreError) -> [StoredResource]

    /// The id of `owner`'s current resource of a type whose business identifier
    /// (``ResourceWrite/identifierKey``) is `key`, or nil. Lets the server plan references to it before
    /// writing; the write checks again.
    func resourceID(type: String, identifierKey key: String, owner: String) async throws(StoreError) -> String?

    /// Whether an ingest normalises its message ahead of the transaction, from the ids the server planned
    /// (SQLite does, off its single writer): a write that lands on another resource than planned then
    /// costs that work twice, so the server asks ``resourceID(type:identifierKey:owner:)`` first even for a
    /// write nothing else refers to. A store that normalises inside the transaction (PostgreSQL) finds the
    /// identifier's holder there for such a write, and the server spares it the round trip.
    var normalisesAhead: Bool { get }

    /// What the store knows of the names a sender's message uses: which are the sender's own ids (and for
    /// which resources), and which are gateway ids of existing resources (and whose).
    func lookUp(_ names: Set<ResourceName>, sender: String) async throws(StoreError) -> NameLookup

    /// The episodes that hold the resource `Type/id` (``CoManagement/Episode/memberReferences``).
    func episodes(holding reference: String) async throws(StoreError) -> [EpisodeRecord]

    /// Of `episodeIDs`, those the partner has been routed (it has, or had, a delivery planned for them).
    func episodes(_ episodeIDs: [String], routedTo partner: String) async throws(StoreError) -> Set<String>

    /// Episodes matching the query, most recently changed first.
    func episodes(_ query: EpisodeQuery) async throws(StoreError) -> [EpisodeRecord]

    /// One episode, or nil when there is none.
    func episode(id: String) async throws(StoreError) -> EpisodeRecord?

    /// The measure facts of the live episodes of `serviceLine` (every one when nil), in id order after
    /// `afterID` (`""` for the first), at most `limit`: one page of what measures are computed over.
    func measureFacts(
        serviceLine: String?,
        afterID: String,
        limit: Int
    ) async throws(StoreError)
        -> [EpisodeMeasureFacts]

    /// Records an audit entry on its own, for decisions that store no message (refusals).
    func record(_ entry: AuditEntry) async throws(StoreError)

    /// Records several audit entries in one transaction (the reads and refusals of many requests), returning
    /// once they are durably committed.
    func record(_ entries: [AuditEntry]) async throws(StoreError)

    /// Audit entries, newest first.
    func auditTrail(limit: Int) async throws(StoreError) -> [AuditEntry]

    /// Succeeds when the database answers a trivial query: the readiness check.
    func ping() async throws(StoreError)
}
