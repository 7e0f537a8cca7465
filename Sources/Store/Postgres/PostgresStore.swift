public import CoManagement
import Foundation
public import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The shared store: one PostgreSQL database that several gateway replicas write to at once.
///
/// Same semantics as ``SQLiteStore``: one transaction per accepted message (message, versions, episode
/// changes, audit, outbox rows), idempotent ingest by unique constraints (`INSERT … ON CONFLICT`, never
/// check-then-insert), the same ``StoreError`` codes. What several replicas add, and how it is met:
///
/// - **The co-management state** is partitioned (``EpisodeLedger``): a message locks the names its
///   resources link by (transaction-level advisory locks, in sorted order), then the rows of the
///   partitions they reach (in id order), so messages about different partitions run in parallel on any
///   replica and one partition's messages one after the other, in commit order. A replica caches a
///   partition with the version it read; a cached one is used only while the database holds that version,
///   else read again. A message that finds a partition merged away by another replica meanwhile starts
///   over.
/// - **Conditional writes** (`If-None-Exist`, conditional update) match on identifiers that are not
///   unique; a transaction-level advisory lock on the (type, identifier) serialises them.
/// - **The outbox.** Claims lease the head of each (partner, episode) stream with `FOR UPDATE SKIP LOCKED`,
///   with the due rows that follow it in its stream, in one statement (``claimOutbox(limit:now:lease:)``),
///   so replicas never share a row or a stream; a replica killed mid-delivery leaves a lease that expires.
///
/// Lifecycle: ``open(at:configuration:normaliser:outboxPlanning:logger:)`` migrates the database; queries
/// run once ``run()`` (a `Service`: add the store to the `ServiceGroup` before the HTTP server) runs the
/// connection pool. When ``run()`` returns the connections are closed.
public struct PostgresStore: OutboxStore {
    /// Tuning knobs.
    public struct Configuration: Sendable, Hashable {
        /// Most connections this process opens (PostgreSQL's `max_connections` is shared by every replica).
        public var maximumConnections: Int
        /// How long ``PostgresStore/open(at:configuration:normaliser:outboxPlanning:logger:)`` waits for the
        /// server (which may still be starting, as in a compose deployment) before it gives up.
        public var startupTimeout: Duration
        /// How long a request waits for a pooled connection before it fails with
        /// ``StoreError/Code/unavailable`` (a 503 to the sender): the pool retries an unreachable server for
        /// ever, and a request must not hang with it. The readiness check waits at most two seconds.
        public var connectionWait: Duration
        /// How many partitions this replica keeps in memory between messages (``PartitionCache``).
        public var partitionCacheCapacity: Int

        public init(
            maximumConnections: Int = 8,
            startupTimeout: Duration = .seconds(60),
            connectionWait: Duration = .seconds(10),
            partitionCacheCapacity: Int = 4096
        ) {
            self.maximumConnections = maximumConnections
            self.startupTimeout = startupTimeout
            self.connectionWait = connectionWait
            self.partitionCacheCapacity = max(0, partitionCacheCapacity)
        }
    }

    let client: PostgresClient
    /// Set once ``run()`` has returned: the pool is gone, and calls fail with ``StoreError/Code/closed``.
    let stopped = StopFlag()
    let endpoint: PostgresEndpoint
    let connectionWait: Duration
    let logger: Logger
    /// The normaliser and this replica's partitions in memory, when episodes are kept.
    let ledger: EpisodeLedger?

    /// Messages are normalised inside their transactions, with their partitions locked.
    public var normalisesAhead: Bool { false }

    /// Connects, applies pending migrations (one replica at a time) and returns the store; its queries
    /// wait until ``run()`` runs.
    ///
    /// - Throws: ``StoreError`` when the server cannot be reached or a migration fails.
    public static func open(
        at endpoint: PostgresEndpoint,
        configuration: Configuration = Configuration(),
        normaliser: Normaliser? = nil,
        outboxPlanning: (any OutboxPlanning)? = nil,
        searchIndexing: (any SearchIndexing)? = nil,
        logger: Logger
    ) async throws(StoreError) -> PostgresStore {
        let subscriptions = outboxPlanning?.configuredSubscriptions ?? []
        let (applied, indexed) = try await Self.withSession(
            at: endpoint,
            within: configuration.startupTimeout,
            logger: logger
        ) { (session) throws(StoreError) -> ([Int], Int) in
            let now = Date().storeMilliseconds
            let applied = try await session.migrate(now: now)
            let indexed = try await session.prepare(subscriptions: subscriptions, indexing: searchIndexing, at: now)
            return (applied, indexed)
        }
        if !applied.isEmpty {
            logger.info("store schema migrated", metadata: ["tandem.migrations": "\(applied)"])
        }
        if indexed > 0 {
            logger.info("resources indexed for search", metadata: ["tandem.store.indexed": "\(indexed)"])
        }
        var options = PostgresClient.Configuration.Options()
        options.maximumConnections = max(1, configuration.maximumConnections)
        // Every statement the gateway runs finds its rows through an index. A connection keeps the plans it
        // made while the database was young, whose statistics call every table a few pages long and a
        // sequential scan the cheaper way; those scans then grow with the tables until the next ANALYZE.
        // Without JIT: the penalty that steers the planner away from scans counts in a plan's cost, and
        // the few tiny tables read by scan anyway would be compiled on every statement (120 ms each).
        // (The migrations' session keeps the defaults.) docs/performance.md, "PostgreSQL store".
        options.additionalStartupParameters = [("enable_seqscan", "off"), ("jit", "off")]
        return PostgresStore(
            client: PostgresClient(
                configuration: endpoint.clientConfiguration(options: options),
                backgroundLogger: logger
            ),
            endpoint: endpoint,
            connectionWait: configuration.connectionWait,
            logger: logger,
            ledger: normaliser.map {
                EpisodeLedger(
                    normaliser: $0,
                    planning: outboxPlanning,
                    cacheCapacity: configuration.partitionCacheCapacity
                )
            }
        )
    }

    /// Runs the connection pool until graceful shutdown or cancellation.
    public func run() async throws {
        await self.client.run()
        self.stopped.value.store(true, ordering: .sequentiallyConsistent)
    }

    /// Runs `body` on a pooled connection, waiting for one at most `wait` (``Configuration/connectionWait``
    /// when nil); once connected, `body` takes as long as it needs.
    func withSession<Value: Sendable>(
        waitingAtMost wait: Duration? = nil,
        _ body: @escaping @Sendable (PostgresSession) async throws(StoreError) -> Value
    ) async throws(StoreError) -> Value {
        let wait = wait ?? self.connectionWait
        do {
            guard !self.stopped.value.load(ordering: .sequentiallyConsistent) else {
                throw StoreError(.closed, "the store is closed")
            }
            return try await Self.withConnection(
                of: self.client,
                within: wait,
                failure: "no PostgreSQL connection within \(wait): is the server up?",
                logger: self.logger,
                body
            )
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    func withTransaction<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresSession) async throws(StoreError) -> Value
    ) async throws(StoreError) -> Value {
        try await self.withSession { (session) throws(StoreError) -> Value in
            try await session.transaction(body)
        }
    }

    /// Runs `body` on a connection of a short-lived pool of one, before the store's own pool runs.
    ///
    /// - Throws: ``StoreError/Code/unavailable`` when no connection is made within `timeout`. Once
    ///   connected, `body` may take as long as it needs.
    static func withSession<Value: Sendable>(
        at endpoint: PostgresEndpoint,
        within timeout: Duration = .seconds(60),
        logger: Logger,
        _ body: @escaping @Sendable (PostgresSession) async throws(StoreError) -> Value
    ) async throws(StoreError) -> Value {
        var options = PostgresClient.Configuration.Options()
        options.maximumConnections = 1
        let client = PostgresClient(
            configuration: endpoint.clientConfiguration(options: options),
            backgroundLogger: logger
        )
        do {
            return try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask {
                    await client.run()
                    return nil
                }
                group.addTask {
                    try await Self.withConnection(
                        of: client,
                        within: timeout,
                        failure: "PostgreSQL at \(endpoint) did not answer within \(timeout)",
                        logger: logger,
                        body
                    )
                }
                // The body's value or its error decides; then the pool is stopped.
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let value = next { return value }
                }
                throw StoreError(.unavailable, "PostgreSQL at \(endpoint) did not answer")
            }
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// Runs `body` on a connection of `client` (whose pool runs elsewhere), failing with
    /// ``StoreError/Code/unavailable`` and `failure` when none comes within `wait`: the pool retries an
    /// unreachable server for ever, and its callers must not wait with it.
    private static func withConnection<Value: Sendable>(
        of client: PostgresClient,
        within wait: Duration,
        failure: String,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresSession) async throws(StoreError) -> Value
    ) async throws -> Value {
        let connected = StopFlag()
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    connected.value.store(true, ordering: .sequentiallyConsistent)
                    return try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) {
                        try await body(PostgresSession(connection: connection, logger: logger))
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: wait)
                if connected.value.load(ordering: .sequentiallyConsistent) { return nil }
                throw StoreError(.unavailable, failure)
            }
            // The body's value or the first error decides; a timer that found the connection made ends
            // with nil.
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw StoreError(.unavailable, failure)
        }
    }
}

extension PostgresEndpoint {
    func clientConfiguration(options: PostgresClient.Configuration.Options) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: tls
        )
        configuration.options = options
        return configuration
    }
}

/// A flag set once (a store's pool stopped, a connection was made), shared by the tasks and copies that read it.
final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}
