import CoManagement
import Foundation

/// Subscriptions on SQLite (migration 17): their rows, their event counters, their events in the outbox,
/// and the handshake and heartbeat checks.
extension SQLiteConnection {
    static let subscriptionColumns =
        "id, owner, origin, status, version, last_updated, resource, error, heartbeat_period"

    static func subscription(_ row: SQLiteRow) -> SubscriptionRecord {
        SubscriptionRecord(
            id: row.text(0) ?? "",
            owner: row.text(1) ?? "",
            origin: SubscriptionRecord.Origin(rawValue: row.text(2) ?? "") ?? .rest,
            status: row.text(3) ?? "",
            version: row.int(4),
            lastUpdated: Date(storeMilliseconds: row.integer(5) ?? 0),
            resource: row.blob(6),
            error: row.text(7),
            heartbeatPeriod: row.integer(8).map(Int.init)
        )
    }

    mutating func subscriptions(owner: String?) throws(StoreError) -> [SubscriptionRecord] {
        try self.query(
            "SELECT \(Self.subscriptionColumns) FROM subscription WHERE ?1 IS NULL OR owner = ?1 ORDER BY id",
            [SQLiteValue(owner)]
        ).map(Self.subscription)
    }

    mutating func subscription(id: String) throws(StoreError) -> SubscriptionRecord? {
        try self.query("SELECT \(Self.subscriptionColumns) FROM subscription WHERE id = ?", [.text(id)]).first
            .map(Self.subscription)
    }

    /// Creates or updates a subscription (see ``SubscriptionStore/saveSubscription(_:ifMatch:audit:)``).
    mutating func saveSubscription(
        _ record: SubscriptionRecord,
        ifMatch: Int?,
        audit: AuditEntry
    ) throws(StoreError) -> SubscriptionRecord {
        let existing = try self.subscription(id: record.id)
        try SubscriptionRules.checkSave(record, existing: existing, ifMatch: ifMatch)
        var saved = record
        saved.version = (existing?.version ?? 0) + 1
        // A subscription asked for (requested) is checked at once: its handshake is due.
        let nextCheck: SQLiteValue =
            record.status == "requested" ? .integer(record.lastUpdated.storeMilliseconds) : .null
        try self.query(
            """
            INSERT INTO subscription (id, owner, origin, status, version, last_updated, resource, error,
                heartbeat_period, next_check_at, last_event)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version,
                last_updated = excluded.last_updated, resource = excluded.resource, error = excluded.error,
                heartbeat_period = excluded.heartbeat_period, next_check_at = excluded.next_check_at
            """,
            [
                .text(saved.id), .text(saved.owner), .text(saved.origin.rawValue), .text(saved.status),
                .integer(Int64(saved.version)), .integer(saved.lastUpdated.storeMilliseconds), .blob(saved.resource),
                SQLiteValue(saved.error), saved.heartbeatPeriod.map { .integer(Int64($0)) } ?? .null, nextCheck,
            ]
        )
        try self.insertAudit(audit)
        return saved
    }

    mutating func deleteSubscription(id: String, owner: String, audit: AuditEntry) throws(StoreError) -> Bool {
        try self.query(
            "DELETE FROM subscription WHERE id = ? AND owner = ? AND origin = 'rest'",
            [.text(id), .text(owner)]
        )
        guard self.changes == 1 else { return false }
        try self.insertAudit(audit)
        return true
    }

    /// Gives each configured subscription its row, keeping what an existing row has.
    mutating func registerConfiguredSubscriptions(_ ids: [String], at: Int64) throws(StoreError) {
        for id in ids {
            try self.query(
                """
                INSERT INTO subscription (id, owner, origin, status, version, last_updated, resource, last_event)
                VALUES (?1, ?1, 'configuration', 'active', 1, ?2, x'', 0) ON CONFLICT (id) DO NOTHING
                """,
                [.text(id), .integer(at)]
            )
        }
    }

    /// `count` new event numbers of the subscription, in order. A subscription with no row yet (a
    /// partner the store never registered) starts at 1.
    mutating func drawEventNumbers(_ subscription: String, count: Int, at: Int64) throws(StoreError) -> [Int] {
        try self.query(
            "UPDATE subscription SET last_event = last_event + ? WHERE id = ?",
            [.integer(Int64(count)), .text(subscription)]
        )
        if self.changes == 0 {
            try self.registerConfiguredSubscriptions([subscription], at: at)
            try self.query(
                "UPDATE subscription SET last_event = last_event + ? WHERE id = ?",
                [.integer(Int64(count)), .text(subscription)]
            )
        }
        let last = try self.subscriptionEventCount(id: subscription)
        return Array((last - count + 1)...last)
    }

    mutating func subscriptionEventCount(id: String) throws(StoreError) -> Int {
        try self.query("SELECT last_event FROM subscription WHERE id = ?", [.text(id)]).first?.int(0) ?? 0
    }

    mutating func subscriptionEvents(
        id: String,
        from: Int,
        through: Int,
        limit: Int
    ) throws(StoreError) -> [SubscribedEvent] {
        var parties = EpisodePartiesCache()
        return try self.query(
            """
            SELECT o.id, o.event_number, o.episode_id, o.event, b.body, o.created_at, e.state FROM outbox o
                LEFT JOIN outbox_body b ON b.outbox_id = o.id
                LEFT JOIN episode e ON e.id = o.episode_id
            WHERE o.partner = ? AND o.event_number BETWEEN ? AND ? AND o.redelivery_of IS NULL
            ORDER BY o.event_number LIMIT ?
            """,
            [.text(id), .integer(Int64(from)), .integer(Int64(through)), .integer(Int64(limit))]
        ).map { row throws(StoreError) in
            SubscribedEvent(
                eventNumber: row.int(1),
                episodeID: row.text(2) ?? "",
                event: try OutboxEvent.decode(row.blob(3), row: row.integer(0) ?? 0),
                body: row.blob(4),
                plannedAt: Date(storeMilliseconds: row.integer(5) ?? 0),
                parties: parties.parties(of: row.text(2) ?? "", state: row.blob(6))
            )
        }
    }

    mutating func claimSubscriptionChecks(
        now: Int64,
        leaseMilliseconds: Int64
    ) throws(StoreError)
        -> [SubscriptionRecord]
    {
        let due = try self.query(
            """
            SELECT \(Self.subscriptionColumns) FROM subscription
            WHERE origin = 'rest' AND next_check_at IS NOT NULL AND next_check_at <= ?
                AND (status = 'requested' OR (status = 'active' AND heartbeat_period IS NOT NULL))
            ORDER BY next_check_at LIMIT 64
            """,
            [.integer(now)]
        ).map(Self.subscription)
        for record in due {
            try self.query(
                "UPDATE subscription SET next_check_at = ? WHERE id = ?",
                [.integer(now + leaseMilliseconds), .text(record.id)]
            )
        }
        return due
    }

    mutating func recordSubscriptionCheck(
        id: String,
        version: Int,
        status: String,
        error: String?,
        nextCheck: Int64?,
        audit: AuditEntry?
    ) throws(StoreError) -> Bool {
        try self.query(
            "UPDATE subscription SET status = ?, error = ?, next_check_at = ? WHERE id = ? AND version = ?",
            [
                .text(status), SQLiteValue(error), nextCheck.map { .integer($0) } ?? .null, .text(id),
                .integer(Int64(version)),
            ]
        )
        guard self.changes == 1 else { return false }
        if let audit { try self.insertAudit(audit) }
        return true
    }
}
