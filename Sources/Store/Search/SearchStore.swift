public import CoManagement

/// What the FHIR search interactions need of the store (`Store` includes it).
public protocol SearchStore: Sendable {
    /// One page of the current, not deleted resources matching the query, and the total.
    func search(_ query: ResourceQuery) async throws(StoreError) -> SearchPage

    /// One page of the audit trail matching the query, and the total.
    func auditEvents(_ query: AuditQuery) async throws(StoreError) -> AuditPage

    /// The parties and consent of the live episodes the partner has been routed: a delivery was planned
    /// for it, or for one of its subscriptions, on each of them.
    func episodeParties(routedTo partner: String) async throws(StoreError) -> [EpisodeParties]
}

/// How a store indexes resources it already holds for search: the server's rules, handed to the store
/// when it opens, as ``OutboxPlanning`` is. The store does not read FHIR; this does.
public protocol SearchIndexing: Sendable {
    /// The version of the rules; a store indexed by an older one (or never, before search) is indexed
    /// again when it opens, once, by one replica at a time.
    var version: Int { get }

    /// Every index token of a resource (its identifier tokens and its search tokens), from its type and
    /// stored content (``ResourceWrite/content``).
    func tokens(type: String, content: [UInt8]) -> [String]
}
