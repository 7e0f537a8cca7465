public import CoManagement
public import Logging

/// The configuration's store URL, parsed: the one place that decides which backend a gateway uses.
///
/// `sqlite:PATH` (or `sqlite::memory:`) is the embedded default for one gateway process;
/// `postgres://user@host:port/database` is the shared database several gateway replicas write to.
public enum StoreURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(StoreLocation)
    case postgres(PostgresEndpoint)

    /// - Throws: ``StoreError/Code/invalidRequest`` for another scheme or a malformed URL.
    public init(_ url: String) throws(StoreError) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(try PostgresEndpoint(url: url))
        } else if url.hasPrefix("sqlite:") {
            self = .sqlite(try StoreLocation(url: url))
        } else {
            throw StoreError(
                .invalidRequest,
                "unsupported store URL scheme (expected sqlite:PATH or postgres://user@host:port/database)"
            )
        }
    }

    /// Whether the store is PostgreSQL, shared by replicas.
    public var isPostgres: Bool {
        if case .postgres = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .sqlite(let location): location.description
        case .postgres(let endpoint): endpoint.description
        }
    }

    /// Opens (and migrates) the store this URL names. The returned store is a `Service`: run it in the
    /// `ServiceGroup` before the services that use it.
    ///
    /// - Parameters:
    ///   - normaliser: when given, every ingested message is normalised into episodes in its transaction.
    ///   - outboxPlanning: when given too, that transaction also writes the outbox rows it plans.
    ///   - searchIndexing: when given, resources indexed by older rules (or before search) are indexed again.
    ///   - partitionCache: how many partitions of co-management state this process keeps in memory, the
    ///     most recently used; a partition not kept is read from its rows when a message touches it.
    public func open(
        normaliser: Normaliser? = nil,
        outboxPlanning: (any OutboxPlanning)? = nil,
        searchIndexing: (any SearchIndexing)? = nil,
        partitionCache: Int = 4096,
        logger: Logger
    ) async throws(StoreError) -> any OutboxStore {
        switch self {
        case .sqlite(let location):
            try await SQLiteStore.open(
                at: location,
                configuration: SQLiteStore.Configuration(partitionCacheCapacity: partitionCache),
                normaliser: normaliser,
                outboxPlanning: outboxPlanning,
                searchIndexing: searchIndexing,
                logger: logger
            )
        case .postgres(let endpoint):
            try await PostgresStore.open(
                at: endpoint,
                configuration: PostgresStore.Configuration(partitionCacheCapacity: partitionCache),
                normaliser: normaliser,
                outboxPlanning: outboxPlanning,
                searchIndexing: searchIndexing,
                logger: logger
            )
        }
    }
}
