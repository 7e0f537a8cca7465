import CoManagement
import Crypto
import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

/// Subscriptions on PostgreSQL (migration 12): their rows, a `SEQUENCE` per subscription that numbers its
/// events, their events in the outbox, and the handshake and heartbeat checks.
extension PostgresSession {
    /// The name of a subscription's event sequence: derived from its id (ids may hold any character a
    /// FHIR id or a configuration allows; the name holds only hex digits).
    static func sequenceName(for subscription: String) -> String {
        "tandem_events_" + LowercaseHex.string(SHA256.hash(data: Array(subscription.utf8)).prefix(12))
    }

    static let subscriptionColumns =
        "id, owner, origin, status, version, last_updated, resource, error, heartbeat_period"

    static func subscription(_ row: PostgresRow) throws(StoreError) -> SubscriptionRecord {
        let (id, owner, origin, status, version, lastUpdated, resource, error, heartbeat) = try row.columns(
            (String, String, String, String, Int64, Int64, ByteBuffer?, String?, Int64?).self
        )
        return SubscriptionRecord(
            id: id,
            owner: owner,
            origin: SubscriptionRecord.Origin(rawValue: origin) ?? .rest,
            status: status,
            version: Int(version),
            lastUpdated: Date(storeMilliseconds: lastUpdated),
            resource: [UInt8](bytea: resource),
            error: error,
            heartbeatPeriod: heartbeat.map(Int.init)
        )
    }

    func subscriptions(owner: String?) async throws(StoreError) -> [SubscriptionRecord] {
        try await self.query(
            """
            SELECT \(unescaped: Self.subscriptionColumns) FROM subscription
            WHERE \(owner)::text IS NULL OR owner = \(owner) ORDER BY id
            """
        ).map { row throws(StoreError) in try Self.subscription(row) }
    }

    func subscription(id: String, locking: Bool = false) async throws(StoreError) -> SubscriptionRecord? {
        try await self.query(
            """
            SELECT \(unescaped: Self.subscriptionColumns) FROM subscription WHERE id = \(id)
            \(unescaped: locking ? "FOR UPDATE" : "")
            """
        ).first.map { row throws(StoreError) in try Self.subscription(row) }
    }

    /// Creates or updates a subscription in the caller's transaction; a new one gets its sequence.
    func saveSubscription(
        _ record: SubscriptionRecord,
        ifMatch: Int?,
        audit: AuditEntry
    ) async throws(StoreError) -> SubscriptionRecord {
        try await self.query("SELECT pg_advisory_xact_lock(hashtextextended(\("subscription|" + record.id), 0))")
        let existing = try await self.subscription(id: record.id, locking: true)
        try SubscriptionRules.checkSave(record, existing: existing, ifMatch: ifMatch)
        var saved = record
        saved.version = (existing?.version ?? 0) + 1
        let nextCheck: Int64? = record.status == "requested" ? record.lastUpdated.storeMilliseconds : nil
        try await self.query(
            """
            INSERT INTO subscription (id, owner, origin, status, version, last_updated, resource, error,
                heartbeat_period, next_check_at)
            VALUES (\(saved.id), \(saved.owner), \(saved.origin.rawValue), \(saved.status), \(Int64(saved.version)),
                \(saved.lastUpdated.storeMilliseconds), \(saved.resource.bytea), \(saved.error),
                \(saved.heartbeatPeriod.map(Int64.init)), \(nextCheck))
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version,
                last_updated = excluded.last_updated, resource = excluded.resource, error = excluded.error,
                heartbeat_period = excluded.heartbeat_period, next_check_at = excluded.next_check_at
            """
        )
        if existing == nil { try await self.registerSequence(for: saved.id) }
        try await self.insertAudit(audit)
        return saved
    }

    func deleteSubscription(id: String, owner: String, audit: AuditEntry) async throws(StoreError) -> Bool {
        let deleted = try await self.query(
            "DELETE FROM subscription WHERE id = \(id) AND owner = \(owner) AND origin = 'rest' RETURNING id"
        )
        guard !deleted.isEmpty else { return false }
        try await self.execute("DROP SEQUENCE IF EXISTS \(Self.sequenceName(for: id))")
        try await self.insertAudit(audit)
        return true
    }

    /// Makes the subscription's sequence when it has none, starting after the highest event number the
    /// outbox holds for it (the configuration's partners numbered per episode before subscriptions).
    /// Callers serialise it: at start under the migration lock, at creation in the subscription's
    /// transaction.
    func registerSequence(for subscription: String) async throws(StoreError) {
        let name = Self.sequenceName(for: subscription)
        try await self.execute("CREATE SEQUENCE IF NOT EXISTS \(name) MINVALUE 0 START WITH 1")
        try await self.query(
            """
            SELECT setval(\(name)::regclass, m.last)
            FROM (SELECT max(event_number) AS last FROM outbox WHERE partner = \(subscription)) AS m,
                \(unescaped: name) AS s
            WHERE m.last IS NOT NULL AND m.last > (CASE WHEN s.is_called THEN s.last_value ELSE 0 END)
            """
        )
    }

    /// Gives each configured subscription its row and sequence, keeping what exists.
    func registerConfiguredSubscriptions(_ ids: [String], at: Int64) async throws(StoreError) {
        for id in ids {
            try await self.query(
                """
                INSERT INTO subscription (id, owner, origin, status, version, last_updated, resource)
                VALUES (\(id), \(id), 'configuration', 'active', 1, \(at), ''::bytea) ON CONFLICT (id) DO NOTHING
                """
            )
            try await self.registerSequence(for: id)
        }
    }

    /// `count` new event numbers of the subscription from its sequence, in order. Sequences are not
    /// transactional: a rolled-back transaction leaves its numbers unused, a gap `$events` answers with
    /// nothing. A subscription without a sequence yet (one the store never registered) gets one here.
    func drawEventNumbers(_ subscription: String, count: Int, at: Int64) async throws(StoreError) -> [Int] {
        let name = Self.sequenceName(for: subscription)
        if let numbers = try await self.nextEventNumbers(name, count: count) { return numbers }
        try await self.registerConfiguredSubscriptions([subscription], at: at)
        return try await self.nextEventNumbers(name, count: count) ?? []
    }

    /// `count` numbers from the sequence `name`, in order; nil when it does not exist (no error, which
    /// would end the transaction).
    private func nextEventNumbers(_ name: String, count: Int) async throws(StoreError) -> [Int]? {
        var numbers: [Int] = []
        for row in try await self.query(
            """
            SELECT CASE WHEN to_regclass(\(name)) IS NOT NULL THEN nextval(\(name)::regclass) END
            FROM generate_series(1, \(Int64(count)))
            """
        ) {
            let drawn: Int64? = try row.columns(Int64?.self)
            guard let number = drawn else { return nil }
            numbers.append(Int(number))
        }
        return numbers.sorted()
    }

    func subscriptionEventCount(id: String) async throws(StoreError) -> Int {
        let name = Self.sequenceName(for: id)
        guard try await self.sequenceExists(name),
            let row = try await self.query(
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(unescaped: name)"
            )
            .first
        else { return 0 }
        let count: Int64 = try row.columns(Int64.self)
        return Int(count)
    }

    private func sequenceExists(_ name: String) async throws(StoreError) -> Bool {
        guard let row = try await self.query("SELECT to_regclass(\(name)) IS NOT NULL").first else { return false }
        return try row.columns(Bool.self)
    }

    func subscriptionEvents(
        id: String,
        from: Int,
        through: Int,
        limit: Int
    ) async throws(StoreError) -> [SubscribedEvent] {
        var parties = EpisodePartiesCache()
        return try await self.query(
            """
            SELECT o.id, o.event_number, o.episode_id, o.event, o.body, o.created_at, e.state FROM outbox o
                LEFT JOIN episode e ON e.id = o.episode_id
            WHERE o.partner = \(id) AND o.event_number BETWEEN \(Int64(from)) AND \(Int64(through))
                AND o.redelivery_of IS NULL
            ORDER BY o.event_number LIMIT \(Int64(limit))
            """
        ).map { row throws(StoreError) in
            let (row, number, episode, event, body, createdAt, state) = try row.columns(
                (Int64, Int64, String, ByteBuffer?, ByteBuffer?, Int64, ByteBuffer?).self
            )
            return SubscribedEvent(
                eventNumber: Int(number),
                episodeID: episode,
                event: try OutboxEvent.decode([UInt8](bytea: event), row: row),
                body: [UInt8](bytea: body),
                plannedAt: Date(storeMilliseconds: createdAt),
                parties: parties.parties(of: episode, state: state.map { [UInt8](bytea: $0) })
            )
        }
    }

    func claimSubscriptionChecks(now: Int64, leaseMilliseconds: Int64) async throws(StoreError) -> [SubscriptionRecord]
    {
        try await self.query(
            """
            WITH due AS (
                SELECT id FROM subscription
                WHERE origin = 'rest' AND next_check_at IS NOT NULL AND next_check_at <= \(now)
                    AND (status = 'requested' OR (status = 'active' AND heartbeat_period IS NOT NULL))
                ORDER BY next_check_at LIMIT 64
                FOR UPDATE SKIP LOCKED
            )
            UPDATE subscription SET next_check_at = \(now + leaseMilliseconds) FROM due
            WHERE subscription.id = due.id
            RETURNING subscription.id, owner, origin, status, version, last_updated, resource, error, heartbeat_period
            """
        ).map { row throws(StoreError) in try Self.subscription(row) }
    }

    func recordSubscriptionCheck(
        id: String,
        version: Int,
        status: String,
        error: String?,
        nextCheck: Int64?,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        let updated = try await self.query(
            """
            UPDATE subscription SET status = \(status), error = \(error), next_check_at = \(nextCheck)
            WHERE id = \(id) AND version = \(Int64(version)) RETURNING id
            """
        )
        guard !updated.isEmpty else { return false }
        if let audit { try await self.insertAudit(audit) }
        return true
    }
}
