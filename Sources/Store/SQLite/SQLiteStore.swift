public import CoManagement
import Foundation
public import Logging
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The embedded store: one SQLite database file in WAL mode, written by a single writer that commits
/// concurrent requests in groups, read through a few read-only connections.
///
/// Why the system SQLite through our own shim rather than GRDB or sqlite-nio: the store issues a
/// handful of fixed statements, needs control of exactly which thread runs them (a `NIOThreadPool`, as
/// sqlite-nio does) and of transaction boundaries for group commit, and nothing else; a thin
/// non-copyable connection owner gives that without a second concurrency model.
///
/// Lifecycle: ``open(at:configuration:logger:)`` opens and migrates the database and makes reads
/// possible; writes wait for the writer, which is ``run()`` (a `Service`: add the store to the
/// `ServiceGroup` *before* the HTTP server so it shuts down after it). When ``run()`` returns the
/// database is closed.
public struct SQLiteStore: Store, Service {
    /// Tuning knobs; the defaults suit one gateway process on a small machine.
    public struct Configuration: Sendable, Hashable {
        /// Read-only connections (reads never wait for a commit in WAL mode). Ignored in memory.
        public var readers: Int
        /// How long a connection waits for a lock held by another process, in milliseconds.
        public var busyTimeoutMilliseconds: Int
        /// Most writes committed in one transaction.
        public var maximumGroupSize: Int
        /// How often the background checkpointer copies the WAL into the database.
        public var checkpointInterval: Duration
        /// The WAL size, in frames (pages), past which the writer finishes a checkpoint between two
        /// groups so that the WAL starts again from its beginning (see ``WALRestart``).
        ///
        /// Each restart holds the writer for a checkpoint of the last frames, with its syncs, and the
        /// requests queued meanwhile wait that long: a larger value restarts less often, each restart
        /// for longer. Measurements of other values: docs/performance.md, "SQLite store".
        public var walRestartFrames: Int
        /// How many partitions the writer keeps in memory between messages (``PartitionCache``).
        public var partitionCacheCapacity: Int
        /// Whether messages are normalised ahead of the writer, on a reader (``NormalisationPlan``);
        /// without, the writer normalises every message itself.
        public var planAhead: Bool

        public init(
            readers: Int = 2,
            busyTimeoutMilliseconds: Int = 5000,
            maximumGroupSize: Int = 256,
            checkpointInterval: Duration = .milliseconds(250),
            walRestartFrames: Int = 4096,
            partitionCacheCapacity: Int = 4096,
            planAhead: Bool = true
        ) {
            self.planAhead = planAhead
            self.readers = readers
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.maximumGroupSize = maximumGroupSize
            self.checkpointInterval = checkpointInterval
            self.walRestartFrames = max(1, walRestartFrames)
            self.partitionCacheCapacity = max(0, partitionCacheCapacity)
        }
    }

    let threadPool: NIOThreadPool
    let writer: ConnectionSlot
    let readers: [ConnectionSlot]
    /// The connection that checkpoints the WAL in the background (file databases only).
    let checkpointer: ConnectionSlot?
    /// Raised by the checkpointer when the WAL has grown past ``Configuration/walRestartFrames``.
    let walRestart = WALRestart()
    let queue: WriteQueue
    let configuration: Configuration
    let logger: Logger
    /// The normaliser and its book, when episodes are kept (see ``EpisodeLedger``).
    let ledger: EpisodeLedger?

    /// How many messages were written from a plan made ahead of the writer, and how many plans were
    /// dropped because another message overtook them.
    var planCounts: (written: Int, dropped: Int) { self.ledger?.planCounts ?? (0, 0) }

    /// Messages are normalised on the readers before the writer takes them (``NormalisationPlan``).
    public var normalisesAhead: Bool { true }

    /// Opens the database (creating the file and its directory if needed) and applies pending
    /// migrations.
    ///
    /// With a `normaliser`, every ingested message's created and changed resources are normalised
    /// into episodes inside the writer, in the message's transaction. With `outboxPlanning` too, that
    /// transaction also writes the outbox rows (and audits the refusals) the planning returns per change.
    ///
    /// - Throws: ``StoreError`` when the file cannot be opened or a migration fails.
    public static func open(
        at location: StoreLocation,
        configuration: Configuration = Configuration(),
        normaliser: Normaliser? = nil,
        outboxPlanning: (any OutboxPlanning)? = nil,
        searchIndexing: (any SearchIndexing)? = nil,
        logger: Logger
    ) async throws(StoreError) -> SQLiteStore {
        let readerCount = location.isMemory ? 0 : max(configuration.readers, 0)
        // The writer's loop (``run()``), the readers and, for a file, the checkpointer each get a thread,
        // so none waits for another's thread; one more serves reads on the writer's connection (an
        // in-memory database has no readers) and closing.
        let checkpoints = !location.isMemory
        let pool = NIOThreadPool(numberOfThreads: readerCount + 2 + (checkpoints ? 1 : 0))
        pool.start()
        do {
            let connections = try await Self.run(on: pool) {
                () throws(StoreError) -> (ConnectionSlot, [ConnectionSlot], ConnectionSlot?, Int) in
                try location.createDirectory()
                var connection = try SQLiteConnection(path: location.path, readOnly: false)
                try connection.configureForWriting(
                    busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
                    backgroundCheckpoints: checkpoints
                )
                let applied = try connection.migrate(now: Date().storeMilliseconds)
                if !applied.isEmpty {
                    logger.info("store schema migrated", metadata: ["tandem.migrations": "\(applied)"])
                }
                try connection.upgradeToPartitions(logger: logger)
                let filled = try connection.fillMeasureFacts()
                if filled > 0 {
                    logger.info("episodes given measure facts", metadata: ["tandem.store.episodes": "\(filled)"])
                }
                let now = Date().storeMilliseconds
                try connection.registerConfiguredSubscriptions(outboxPlanning?.configuredSubscriptions ?? [], at: now)
                if let searchIndexing {
                    let indexed = try connection.reindexSearch(searchIndexing, at: now)
                    if indexed > 0 {
                        logger.info("resources indexed for search", metadata: ["tandem.store.indexed": "\(indexed)"])
                    }
                }
                let arrivals = try connection.highestArrival()
                let writer = ConnectionSlot(connection)
                var readers: [ConnectionSlot] = []
                for _ in 0..<readerCount {
                    let reader = try SQLiteConnection(path: location.path, readOnly: true)
                    try reader.configureForReading(busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
                    readers.append(ConnectionSlot(reader))
                }
                var checkpointer: ConnectionSlot?
                if checkpoints {
                    let connection = try SQLiteConnection(path: location.path, readOnly: false)
                    try connection.configureForCheckpointing(
                        busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds
                    )
                    checkpointer = ConnectionSlot(connection)
                }
                return (writer, readers, checkpointer, arrivals)
            }
            return SQLiteStore(
                threadPool: pool,
                writer: connections.0,
                readers: connections.1,
                checkpointer: connections.2,
                queue: WriteQueue(),
                configuration: configuration,
                logger: logger,
                ledger: normaliser.map { normaliser in
                    let ledger = EpisodeLedger(
                        normaliser: normaliser,
                        planning: outboxPlanning,
                        cacheCapacity: configuration.partitionCacheCapacity
                    )
                    ledger.arrivals.store(connections.3, ordering: .relaxed)
                    return ledger
                }
            )
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    /// The writer: takes queued writes in groups and commits each group in one transaction, until
    /// graceful shutdown (or cancellation); then closes the database.
    ///
    /// It loops on a thread of the store's pool (the one the pool keeps for it), blocking while nothing
    /// is queued, so a group starts as soon as the one before has committed: a loop on Swift's
    /// cooperative pool needed a turn there between groups, behind every request and delivery task.
    ///
    /// Writes queued at graceful shutdown are still committed; writes that arrive later fail with
    /// ``StoreError/Code/closed``. On cancellation the queue closes at once and whatever was still queued
    /// fails: it was never committed.
    public func run() async throws {
        await withDiscardingTaskGroup { tasks in
            if let checkpointer = self.checkpointer {
                tasks.addTask { await self.checkpoint(on: checkpointer) }
            }
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    _ = try? await self.threadPool.runIfActive { self.writeUntilClosed() }
                } onGracefulShutdown: {
                    self.queue.close()
                }
            } onCancel: {
                self.queue.abandon()
            }
            tasks.cancelAll()
        }
        for write in self.queue.closeAndTakeRemaining() {
            write.fail(StoreError(.closed, "the store stopped before the write was committed"))
        }
        await self.close()
    }

    /// The writer's loop, on its own thread: every queued write, group by group, until the queue is
    /// closed and drained (or abandoned).
    private func writeUntilClosed() {
        while self.queue.waitForWrites() {
            while true {
                let group = self.queue.takeGroup(limit: self.configuration.maximumGroupSize)
                if group.isEmpty { break }
                self.commit(group)
                if self.walRestart.takeRequest() { self.finishCheckpoint() }
            }
        }
    }

    /// Closes every connection and stops the thread pool. ``run()`` does this when it ends; call it
    /// directly only for a store whose writer never ran.
    public func close() async {
        for write in self.queue.closeAndTakeRemaining() {
            write.fail(StoreError(.closed, "the store closed before the write was committed"))
        }
        let slots = [self.writer] + self.readers + (self.checkpointer.map { [$0] } ?? [])
        _ = try? await Self.run(on: self.threadPool) { () throws(StoreError) in
            for slot in slots { slot.close() }
        }
        try? await self.threadPool.shutdownGracefully()
    }

    /// Checkpoints the WAL every ``Configuration/checkpointInterval`` until cancelled. PASSIVE never
    /// blocks the writer; a failure (a reader holding an old snapshot, a busy database) is retried at the
    /// next tick, and the WAL simply grows meanwhile.
    ///
    /// It never takes the writer's lock, but it shares the disk with it: a checkpoint writes scattered
    /// database pages and syncs them, and a COMMIT's sync of the WAL can wait behind that, and with it
    /// every request of its group (docs/performance.md, "SQLite store").
    func checkpoint(on checkpointer: ConnectionSlot) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: self.configuration.checkpointInterval)
            } catch {
                return
            }
            do throws(StoreError) {
                let wal = try await Self.run(on: self.threadPool) { () throws(StoreError) in
                    try checkpointer.withConnection { (connection: inout SQLiteConnection) throws(StoreError) in
                        try connection.checkpointPassively()
                    }
                }
                if wal.walFrames >= self.configuration.walRestartFrames { self.walRestart.request() }
            } catch {
                self.logger.warning("WAL checkpoint failed", metadata: ["tandem.store.error": "\(error)"])
            }
        }
    }

    /// The writer's part of ``WALRestart``: between two groups, with no write under way, a PASSIVE
    /// checkpoint on the writer's own connection copies the few frames the background checkpointer has
    /// not reached yet, so the next write transaction starts the WAL again from its beginning. Runs on
    /// the writer's thread.
    func finishCheckpoint() {
        do throws(StoreError) {
            let wal = try self.writer.withConnection { (connection: inout SQLiteConnection) throws(StoreError) in
                try connection.checkpointPassively()
            }
            self.logger.debug(
                "WAL checkpointed by the writer",
                metadata: [
                    "tandem.store.walFrames": "\(wal.walFrames)", "tandem.store.checkpointed": "\(wal.checkpointed)",
                ]
            )
        } catch {
            self.logger.warning("WAL checkpoint by the writer failed", metadata: ["tandem.store.error": "\(error)"])
        }
    }

    /// Runs blocking SQLite work on the store's thread pool.
    static func run<Value: Sendable>(
        on pool: NIOThreadPool,
        _ body: @escaping @Sendable () throws(StoreError) -> Value
    ) async throws(StoreError) -> Value {
        do {
            return try await pool.runIfActive { try body() }
        } catch let error as StoreError {
            throw error
        } catch is CancellationError {
            throw StoreError(.unavailable, "cancelled before the database was reached")
        } catch {
            throw StoreError(.closed, "the store is closed")
        }
    }
}
