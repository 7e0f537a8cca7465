import Logging
import PostgresNIO
import Synchronization

/// The forwarder's election on PostgreSQL: a session-level advisory lock held on a connection of its own,
/// and `LISTEN`/`NOTIFY` for the announcements.
///
/// The lock lives as long as the connection holding it: a replica that stops, crashes or loses the
/// network loses it, and another replica's next try takes it. The elected replica listens on the same
/// connection, so a connection that ends ends both, and the replica reports itself deposed.
extension PostgresStore: ForwarderElection {
    /// The forwarder lock: a key of the two-number space, which PostgreSQL keeps apart from the one-number
    /// keys of the name, identifier and migration locks.
    static let forwarderLock = (namespace: Int32(0x7461_6E64), key: Int32(0x4657))  // "tand", "FW"
    /// The channel announcements go out on.
    static let plannedChannel = "tandem_outbox_planned"

    public var forwarderElection: (any ForwarderElection)? { self }

    public func campaign(
        every interval: Duration,
        _ events: @escaping @Sendable (ForwarderElectionEvent) -> Void
    ) async {
        while !Task.isCancelled, !self.stopped.value.load(ordering: .sequentiallyConsistent) {
            let elected = StopFlag()
            do {
                try await Self.withSession(at: self.endpoint, within: .seconds(10), logger: self.logger) {
                    (session) throws(StoreError) in
                    try await session.takeForwarderLock(trying: interval)
                    elected.value.store(true, ordering: .sequentiallyConsistent)
                    events(.elected)
                    try await session.listen(on: Self.plannedChannel) { events(.announced) }
                }
            } catch {
                if !Task.isCancelled {
                    self.logger.warning(
                        "forwarder election: the connection to PostgreSQL ended; trying again",
                        metadata: ["tandem.error": "\(error)"]
                    )
                }
            }
            if elected.value.load(ordering: .sequentiallyConsistent) { events(.deposed) }
            try? await Task.sleep(for: interval)
        }
    }

    public func announcePlanned() async throws(StoreError) {
        // Its own transaction, committed without waiting for the WAL flush: NOTIFY gives the transaction an
        // id, and a durable commit would put a disk flush behind every announcement for nothing (a lost one
        // costs only latency).
        _ = try await self.withSession { (session) throws(StoreError) in
            try await session.query(
                "SELECT set_config('synchronous_commit', 'off', true), pg_notify(\(Self.plannedChannel), '')"
            )
        }
    }
}

extension PostgresSession {
    /// Returns once this session holds the forwarder lock, trying every `interval`.
    fileprivate func takeForwarderLock(trying interval: Duration) async throws(StoreError) {
        let lock = PostgresStore.forwarderLock
        while true {
            let rows = try await self.query("SELECT pg_try_advisory_lock(\(lock.namespace), \(lock.key))")
            if (try? rows.first?.decode(Bool.self)) == true { return }
            do {
                try await Task.sleep(for: interval)
            } catch {
                throw StoreError(.closed, "the forwarder election was stopped")
            }
        }
    }

    /// Calls `heard` for each notification on `channel` until the connection ends.
    fileprivate func listen(on channel: String, _ heard: @Sendable () -> Void) async throws(StoreError) {
        do {
            try await self.connection.listen(on: channel) { notifications in
                for try await _ in notifications { heard() }
            }
        } catch {
            throw StoreError(postgres: error)
        }
        throw StoreError(.unavailable, "the connection to PostgreSQL ended")
    }
}
