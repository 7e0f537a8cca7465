public import struct Foundation.Date

/// One page of a FHIR search as the store answers it: the server has turned the search parameters into
/// index tokens, bounds and a scope, so the store matches strings and never reads FHIR.
///
/// Tokens are the `resource_identifier` rows each resource is written with: its identifier tokens
/// (`system|value`) and its search tokens (``ResourceWrite/searchTokens``, `status active`,
/// `subject Patient/p1`, `name smith`). Each inner list of ``tokens`` is one parameter's alternatives
/// (any may match); every list must match. ``prefixes`` are the same with string prefixes.
public struct ResourceQuery: Sendable, Hashable {
    /// Whose resources the search may return.
    public enum Scope: Sendable, Hashable {
        /// Every resource (operators).
        case everything
        /// The resources this sender owns.
        case owner(String)
        /// The resources these episodes hold (``CoManagement/Episode/memberReferences``): what a partner
        /// may read.
        case episodes([String])
    }

    /// The order of the results: by `_lastUpdated`, then by id.
    public enum Order: Sendable, Hashable {
        case oldestFirst
        case newestFirst
    }

    /// Where a page starts: after the resource last updated at `lastUpdated` (store milliseconds) with `id`.
    public struct Cursor: Sendable, Hashable {
        public var lastUpdated: Int64
        public var id: String

        public init(lastUpdated: Int64, id: String) {
            self.lastUpdated = lastUpdated
            self.id = id
        }
    }

    public var type: String
    /// `_id`: any of these gateway ids; nil when the search does not name ids.
    public var ids: [String]?
    public var tokens: [[String]]
    public var prefixes: [[String]]
    /// `_lastUpdated` at or after this moment.
    public var updatedFrom: Date?
    /// `_lastUpdated` before this moment.
    public var updatedBefore: Date?
    public var scope: Scope
    public var order: Order
    public var after: Cursor?
    /// Most resources on the page (`_count`).
    public var count: Int

    public init(
        type: String,
        ids: [String]? = nil,
        tokens: [[String]] = [],
        prefixes: [[String]] = [],
        updatedFrom: Date? = nil,
        updatedBefore: Date? = nil,
        scope: Scope = .everything,
        order: Order = .oldestFirst,
        after: Cursor? = nil,
        count: Int = 50
    ) {
        self.type = type
        self.ids = ids
        self.tokens = tokens
        self.prefixes = prefixes
        self.updatedFrom = updatedFrom
        self.updatedBefore = updatedBefore
        self.scope = scope
        self.order = order
        self.after = after
        self.count = max(0, count)
    }

    /// Whether the query can match nothing before the store is asked (an empty list of alternatives).
    public var matchesNothing: Bool {
        self.ids?.isEmpty == true || self.tokens.contains(where: \.isEmpty) || self.prefixes.contains(where: \.isEmpty)
            || { if case .episodes(let ids) = self.scope { return ids.isEmpty } else { return false } }()
    }
}

/// One page of results, and how many resources match in all.
public struct SearchPage: Sendable, Hashable {
    /// The current versions, in the query's order.
    public var resources: [StoredResource]
    /// Every match, across all pages (`Bundle.total`).
    public var total: Int
    /// Where the next page starts; nil on the last page.
    public var next: ResourceQuery.Cursor?

    public init(resources: [StoredResource], total: Int, next: ResourceQuery.Cursor?) {
        self.resources = resources
        self.total = total
        self.next = next
    }
}
