import CoManagement
import Foundation

/// The SQL behind ``DeliveryAdministration``. Reads run on any connection; the changes run on the writer,
/// each with its audit entries in the same transaction, and never touch a leased row (the forwarder's).
extension SQLiteConnection {
    private static let recordColumns = """
        id, delivery_id, partner, episode_id, event_number, event, state,
            (SELECT count(*) FROM delivery_attempt WHERE delivery_attempt.outbox_id = outbox.id), next_attempt_at,
            created_at, requeued_at, last_error, redelivery_of
        """

    mutating func deliveries(_ query: DeliveryQuery) throws(StoreError) -> [DeliveryRecord] {
        var conditions = ["delivery_id IS NOT NULL"]
        var bindings: [SQLiteValue] = []
        if let partner = query.partner {
            conditions.append("partner = ?")
            bindings.append(.text(partner))
        }
        if let episode = query.episode {
            conditions.append("episode_id = ?")
            bindings.append(.text(episode))
        }
        if let state = query.state {
            // Literals, not a parameter: SQLite uses a partial index only for a query whose conditions imply
            // the index's own (`outbox_dead`; `outbox_head` for pending and leased rows). The value is one of
            // the states' fixed names, never user text.
            conditions.append("state = '\(state.rawValue)'")
            if state == .pending || state == .leased { conditions.append("state IN ('pending', 'leased')") }
        }
        bindings.append(.integer(Int64(query.limit)))
        let rows = try self.query(
            "SELECT \(Self.recordColumns) FROM outbox WHERE \(conditions.joined(separator: " AND "))"
                + " ORDER BY id DESC LIMIT ?",
            bindings
        )
        var records: [DeliveryRecord] = []
        for row in rows { records.append(try Self.record(row)) }
        return records
    }

    mutating func delivery(_ key: DeliveryKey) throws(StoreError) -> DeliveryDetail? {
        guard let record = try self.record(key) else { return nil }
        let body =
            try self.query("SELECT body FROM outbox_body WHERE outbox_id = ?", [.integer(record.row)]).first?.blob(0)
            ?? []
        let attempts = try self.query(
            """
            SELECT number, started_at, status, error, duration_ms, http_version, excerpt FROM delivery_attempt
            WHERE outbox_id = ? ORDER BY id
            """,
            [.integer(record.row)]
        ).map { row in Self.attempt(row, from: 0) }
        return DeliveryDetail(record: record, body: body, attempts: attempts)
    }

    mutating func retry(_ key: DeliveryKey, by actor: String, now: Int64) throws(StoreError) -> DeliveryRecord {
        guard let record = try self.record(key) else { throw StoreError(.notFound, "no \(key) in the outbox") }
        let change = try DeliveryChange.retry(record, key: key)
        switch change {
        case .retryNow:
            try self.query(
                "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND state = 'pending'",
                [.integer(now), .integer(record.row)]
            )
        default:
            try self.requeue(record, now: now)
        }
        try self.insertAudit(change.audit(record, by: actor, now: now))
        return try self.record(.row(record.row)) ?? record
    }

    mutating func requeueDead(partner: String?, by actor: String, now: Int64) throws(StoreError) -> [DeliveryRecord] {
        let rows = try self.query(
            "SELECT \(Self.recordColumns) FROM outbox WHERE state = 'dead' AND delivery_id IS NOT NULL"
                + (partner == nil ? "" : " AND partner = ?") + " ORDER BY id",
            partner.map { [.text($0)] } ?? []
        )
        var changed: [DeliveryRecord] = []
        for row in rows {
            let record = try Self.record(row)
            try self.requeue(record, now: now)
            try self.insertAudit(DeliveryChange.requeueDead.audit(record, by: actor, now: now))
            changed.append(try self.record(.row(record.row)) ?? record)
        }
        return changed
    }

    mutating func redeliver(_ request: Redelivery, by actor: String, now: Int64) throws(StoreError) -> [DeliveryRecord]
    {
        var conditions = ["state = 'delivered'", "redelivery_of IS NULL", "delivery_id IS NOT NULL", "partner = ?"]
        var bindings: [SQLiteValue] = [.text(request.partner)]
        if let episode = request.episode {
            conditions.append("episode_id = ?")
            bindings.append(.text(episode))
        }
        if let since = request.since {
            conditions.append("created_at >= ?")
            bindings.append(.integer(since.storeMilliseconds))
        }
        let originals = try self.query(
            "SELECT \(Self.recordColumns) FROM outbox WHERE \(conditions.joined(separator: " AND ")) ORDER BY id",
            bindings
        )
        var added: [DeliveryRecord] = []
        for row in originals {
            let original = try Self.record(row)
            let deliveryID = DeliveryRecord.redeliveryID()
            let inserted = try self.query(
                """
                INSERT INTO outbox (partner, episode_id, event_number, payload_ref, state, attempts, next_attempt_at,
                    created_at, delivery_id, event, redelivery_of)
                SELECT partner, episode_id, event_number, payload_ref, 'pending', 0, ?, ?, ?, event, delivery_id
                FROM outbox WHERE id = ?
                RETURNING id
                """,
                [.integer(now), .integer(now), .text(deliveryID), .integer(original.row)]
            )
            if let id = inserted.first?.integer(0) {
                try self.query(
                    "INSERT INTO outbox_body (outbox_id, body) SELECT ?, body FROM outbox_body WHERE outbox_id = ?",
                    [.integer(id), .integer(original.row)]
                )
            }
            guard let record = try self.record(.deliveryID(deliveryID)) else {
                throw StoreError(.io, "the redelivery of \(original.deliveryID) was not stored")
            }
            try self.insertAudit(DeliveryChange.redeliver.audit(record, by: actor, now: now))
            added.append(record)
        }
        return added
    }

    /// Dead → pending, due now, with a fresh retry budget: attempts after `attempt_base`, age from `requeued_at`.
    private mutating func requeue(_ record: DeliveryRecord, now: Int64) throws(StoreError) {
        try self.query(
            """
            UPDATE outbox SET state = 'pending', next_attempt_at = ?, requeued_at = ?, attempt_base = attempts,
                lease_owner = NULL, lease_until = NULL
            WHERE id = ? AND state = 'dead'
            """,
            [.integer(now), .integer(now), .integer(record.row)]
        )
    }

    private mutating func record(_ key: DeliveryKey) throws(StoreError) -> DeliveryRecord? {
        let rows: [SQLiteRow]
        switch key {
        case .row(let id):
            rows = try self.query(
                "SELECT \(Self.recordColumns) FROM outbox WHERE id = ? AND delivery_id IS NOT NULL",
                [.integer(id)]
            )
        case .deliveryID(let id):
            rows = try self.query("SELECT \(Self.recordColumns) FROM outbox WHERE delivery_id = ?", [.text(id)])
        }
        return try rows.first.map { (row) throws(StoreError) in try Self.record(row) }
    }

    private static func record(_ row: SQLiteRow) throws(StoreError) -> DeliveryRecord {
        let id = row.integer(0) ?? 0
        let (event, state) = try DeliveryRecord.decode(event: row.blob(5), state: row.text(6) ?? "", row: id)
        return DeliveryRecord(
            row: id,
            deliveryID: row.text(1) ?? "",
            partnerID: row.text(2) ?? "",
            episodeID: row.text(3) ?? "",
            eventNumber: row.int(4),
            event: event,
            state: state,
            attempts: row.int(7),
            nextAttemptAt: Date(storeMilliseconds: row.integer(8) ?? 0),
            createdAt: Date(storeMilliseconds: row.integer(9) ?? 0),
            requeuedAt: row.integer(10).map { Date(storeMilliseconds: $0) },
            lastError: row.text(11),
            redeliveryOf: row.text(12)
        )
    }
}
