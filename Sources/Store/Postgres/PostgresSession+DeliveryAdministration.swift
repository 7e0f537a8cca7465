import CoManagement
import Foundation
import NIOCore
import PostgresNIO

/// The SQL behind ``DeliveryAdministration`` on PostgreSQL. Each change runs in the caller's transaction
/// with its audit entry, on rows it has locked first (`FOR UPDATE`), so it is safe beside replicas that
/// claim and complete rows meanwhile: a row being claimed is waited for and then seen leased, and a leased
/// row (the forwarder's) is never changed.
extension PostgresSession {
    private static let recordColumns = """
        id, delivery_id, partner, episode_id, event_number, event, state,
            (SELECT count(*) FROM delivery_attempt WHERE delivery_attempt.outbox_id = outbox.id), next_attempt_at,
            created_at, requeued_at, last_error, redelivery_of
        """

    func deliveries(_ query: DeliveryQuery) async throws(StoreError) -> [DeliveryRecord] {
        try await self.records(
            """
            SELECT \(unescaped: Self.recordColumns) FROM outbox
            WHERE delivery_id IS NOT NULL AND (\(query.partner)::text IS NULL OR partner = \(query.partner))
                AND (\(query.episode)::text IS NULL OR episode_id = \(query.episode))
                AND (\(query.state?.rawValue)::text IS NULL OR state = \(query.state?.rawValue))
            ORDER BY id DESC LIMIT \(Int64(query.limit))
            """
        )
    }

    /// The record, body and attempts of one delivery; run it in a repeatable-read transaction so the three
    /// reads see one snapshot.
    func delivery(_ key: DeliveryKey) async throws(StoreError) -> DeliveryDetail? {
        guard let record = try await self.record(key) else { return nil }
        var body: ByteBuffer?
        if let row = try await self.query("SELECT body FROM outbox WHERE id = \(record.row)").first {
            body = try row.columns(ByteBuffer?.self)
        }
        var attempts: [DeliveryAttempt] = []
        for row in try await self.query(
            """
            SELECT number, started_at, status, error, duration_ms, http_version, excerpt FROM delivery_attempt
            WHERE outbox_id = \(record.row) ORDER BY id
            """
        ) {
            attempts.append(
                Self.attempt(try row.columns((Int64, Int64, Int64?, String?, Int64, String?, ByteBuffer?).self))
            )
        }
        return DeliveryDetail(
            record: record,
            body: [UInt8](bytea: body),
            attempts: attempts
        )
    }

    /// Run inside a transaction.
    func retry(_ key: DeliveryKey, by actor: String, now: Int64) async throws(StoreError) -> DeliveryRecord {
        guard let record = try await self.record(key, locking: true) else {
            throw StoreError(.notFound, "no \(key) in the outbox")
        }
        let change = try DeliveryChange.retry(record, key: key)
        switch change {
        case .retryNow:
            try await self.query(
                "UPDATE outbox SET next_attempt_at = \(now) WHERE id = \(record.row) AND state = 'pending'"
            )
        default:
            try await self.requeue(record, now: now)
        }
        try await self.insertAudit(change.audit(record, by: actor, now: now))
        return try await self.record(.row(record.row)) ?? record
    }

    /// Run inside a transaction. A dead row another administrator requeues meanwhile is waited for, then
    /// left out (PostgreSQL re-checks `state = 'dead'` on the row it waited for).
    func requeueDead(partner: String?, by actor: String, now: Int64) async throws(StoreError) -> [DeliveryRecord] {
        let dead = try await self.records(
            """
            SELECT \(unescaped: Self.recordColumns) FROM outbox
            WHERE state = 'dead' AND delivery_id IS NOT NULL AND (\(partner)::text IS NULL OR partner = \(partner))
            ORDER BY id
            FOR UPDATE OF outbox
            """
        )
        var changed: [DeliveryRecord] = []
        for record in dead {
            try await self.requeue(record, now: now)
            try await self.insertAudit(DeliveryChange.requeueDead.audit(record, by: actor, now: now))
            changed.append(try await self.record(.row(record.row)) ?? record)
        }
        return changed
    }

    /// Run inside a transaction. The originals are share-locked so none changes (moves episode) before the
    /// copies commit; forwarders never lock delivered rows, so they are not held up.
    func redeliver(_ request: Redelivery, by actor: String, now: Int64) async throws(StoreError) -> [DeliveryRecord] {
        let since = request.since?.storeMilliseconds
        let originals = try await self.records(
            """
            SELECT \(unescaped: Self.recordColumns) FROM outbox
            WHERE state = 'delivered' AND redelivery_of IS NULL AND delivery_id IS NOT NULL
                AND partner = \(request.partner)
                AND (\(request.episode)::text IS NULL OR episode_id = \(request.episode))
                AND (\(since)::bigint IS NULL OR created_at >= \(since))
            ORDER BY id
            FOR SHARE OF outbox
            """
        )
        var added: [DeliveryRecord] = []
        for original in originals {
            let inserted = try await self.query(
                """
                INSERT INTO outbox (partner, episode_id, event_number, payload_ref, state, attempts, next_attempt_at,
                    created_at, delivery_id, event, body, redelivery_of)
                SELECT partner, episode_id, event_number, payload_ref, 'pending', 0, \(now), \(now),
                    \(DeliveryRecord.redeliveryID()), event, body, delivery_id
                FROM outbox WHERE id = \(original.row)
                RETURNING id
                """
            )
            guard let id = try inserted.first?.columns(Int64.self), let record = try await self.record(.row(id)) else {
                throw StoreError(.io, "the redelivery of \(original.deliveryID) was not stored")
            }
            try await self.insertAudit(DeliveryChange.redeliver.audit(record, by: actor, now: now))
            added.append(record)
        }
        return added
    }

    /// Dead → pending, due now, with a fresh retry budget: attempts after `attempt_base`, age from `requeued_at`.
    private func requeue(_ record: DeliveryRecord, now: Int64) async throws(StoreError) {
        try await self.query(
            """
            UPDATE outbox SET state = 'pending', next_attempt_at = \(now), requeued_at = \(now),
                attempt_base = attempts, lease_owner = NULL, lease_until = NULL
            WHERE id = \(record.row) AND state = 'dead'
            """
        )
    }

    /// One delivery's record; with `locking`, its row stays locked until the transaction ends.
    private func record(_ key: DeliveryKey, locking: Bool = false) async throws(StoreError) -> DeliveryRecord? {
        let lock = locking ? "FOR UPDATE OF outbox" : ""
        return switch key {
        case .row(let id):
            try await self.records(
                """
                SELECT \(unescaped: Self.recordColumns) FROM outbox WHERE id = \(id) AND delivery_id IS NOT NULL
                \(unescaped: lock)
                """
            ).first
        case .deliveryID(let id):
            try await self.records(
                "SELECT \(unescaped: Self.recordColumns) FROM outbox WHERE delivery_id = \(id) \(unescaped: lock)"
            ).first
        }
    }

    private func records(_ query: PostgresQuery) async throws(StoreError) -> [DeliveryRecord] {
        var records: [DeliveryRecord] = []
        for row in try await self.query(query) {
            let (
                id, deliveryID, partner, episodeID, eventNumber, eventJSON, state, attempts, nextAttemptAt, createdAt,
                requeuedAt, lastError, redeliveryOf
            ) = try row.columns(
                (
                    Int64, String, String, String, Int64, ByteBuffer?, String, Int64, Int64, Int64, Int64?, String?,
                    String?
                ).self
            )
            let (event, decodedState) = try DeliveryRecord.decode(
                event: [UInt8](bytea: eventJSON),
                state: state,
                row: id
            )
            records.append(
                DeliveryRecord(
                    row: id,
                    deliveryID: deliveryID,
                    partnerID: partner,
                    episodeID: episodeID,
                    eventNumber: Int(eventNumber),
                    event: event,
                    state: decodedState,
                    attempts: Int(attempts),
                    nextAttemptAt: Date(storeMilliseconds: nextAttemptAt),
                    createdAt: Date(storeMilliseconds: createdAt),
                    requeuedAt: requeuedAt.map { Date(storeMilliseconds: $0) },
                    lastError: lastError,
                    redeliveryOf: redeliveryOf
                )
            )
        }
        return records
    }
}
