import CoManagement
import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresSession {
    /// Plans and inserts the outbox rows for each episode change of one ingestion, inside the ingest
    /// transaction, with the message's partitions locked (so an episode's events are numbered in order).
    /// Each new delivery draws its event number from its subscription's sequence, then gets its body. Rows
    /// are inserted `ON CONFLICT DO NOTHING`, as SQLite's `INSERT OR IGNORE` skips them: a delivery planned
    /// before keeps its row, number and body, and draws no number. Refusals are audited.
    ///
    /// Returns whether any row was written.
    @discardableResult
    func planOutbox(
        _ ingestion: Ingestion,
        resources: [Element],
        planning: any OutboxPlanning,
        traceparent: String?,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) -> Bool {
        var planned = false
        for change in ingestion.changes {
            // A re-keyed episode keeps its streams: its rows move to the new id unless an original row would
            // collide with an original already there (that one stays behind and is dead-lettered when
            // claimed), as SQLite's `UPDATE OR IGNORE` does under the unique index over original rows;
            // redeliveries never collide.
            if let previous = change.previousEpisodeID, previous != change.episodeID {
                try await self.query(
                    """
                    UPDATE outbox AS o SET episode_id = \(change.episodeID)
                    WHERE o.episode_id = \(previous) AND (o.redelivery_of IS NOT NULL OR NOT EXISTS (
                        SELECT 1 FROM outbox AS c
                        WHERE c.partner = o.partner AND c.episode_id = \(change.episodeID)
                            AND c.event_number = o.event_number AND c.redelivery_of IS NULL))
                    """
                )
            }
            guard !change.events.isEmpty else { continue }
            let input = planning.input(change, resources: resources, traceparent: traceparent, at: at)
            var plan = planning.plan(input)
            plan.number(with: try await self.drawNumbers(for: &plan, at: at))
            planned = planned || !plan.deliveries.isEmpty
            try await self.insertOutboxRows(
                plan.deliveries,
                planning: planning,
                input: input,
                traceparent: traceparent,
                at: at
            )
            for var audit in plan.audits {
                audit.messageID = audit.messageID ?? messageID
                try await self.insertAudit(audit)
            }
        }
        return planned
    }

    /// Drops from `plan` the deliveries planned before and draws the others' event numbers from their
    /// subscriptions' sequences, in one statement; a subscription without a sequence yet gets one first
    /// (``drawEventNumbers(_:count:at:)``).
    private func drawNumbers(for plan: inout OutboxPlan, at: Int64) async throws(StoreError) -> [String: [Int]] {
        guard !plan.deliveries.isEmpty else { return [:] }
        var bindings = PostgresBindings()
        bindings.append(plan.deliveries.map(\.id))
        bindings.append(plan.deliveries.map { Self.sequenceName(for: $0.partnerID) })
        var planned: Set<String> = []
        var numbers: [String: Int64] = [:]
        for row in try await self.query(PlannedOrNumbered.self, bindings) {
            let (id, number) = try row.columns((String, Int64?).self)
            if let number { numbers[id] = number } else { planned.insert(id) }
        }
        plan.deliveries.removeAll { planned.contains($0.id) }
        var drawn: [String: [Int]] = [:]
        var unsequenced: [String: Int] = [:]
        for delivery in plan.deliveries {
            guard let number = numbers[delivery.id], number > 0 else {
                unsequenced[delivery.partnerID, default: 0] += 1
                continue
            }
            drawn[delivery.partnerID, default: []].append(Int(number))
        }
        for (subscription, count) in unsequenced.sorted(by: { $0.key < $1.key }) {
            drawn[subscription, default: []] += try await self.drawEventNumbers(subscription, count: count, at: at)
        }
        return drawn.mapValues { $0.sorted() }
    }

    /// Per delivery id (`$1`) with its subscription's sequence (`$2`): null when the row was planned before,
    /// else the next number of the sequence, or 0 when the sequence does not exist.
    private enum PlannedOrNumbered: PreparedStatementText {
        static let sql = """
            SELECT d.id, CASE
                WHEN (SELECT delivery_id FROM outbox WHERE delivery_id = d.id) IS NOT NULL THEN NULL
                WHEN to_regclass(d.sequence) IS NULL THEN 0
                ELSE nextval(d.sequence::regclass)
            END
            FROM unnest($1::text[], $2::text[]) AS d(id, sequence)
            """
    }

    /// Inserts the planned deliveries, rendered, in one statement.
    private func insertOutboxRows(
        _ deliveries: [PlannedDelivery],
        planning: any OutboxPlanning,
        input: OutboxPlanningInput,
        traceparent: String?,
        at: Int64
    ) async throws(StoreError) {
        guard !deliveries.isEmpty else { return }
        var rows = (
            partners: [String](), episodes: [String](), numbers: [Int64](), sources: [String](), ids: [String](),
            events: [ByteBuffer](), bodies: [ByteBuffer](), traceparents: [String]()
        )
        for var delivery in deliveries {
            delivery.body = planning.render(delivery, input: input)
            rows.partners.append(delivery.partnerID)
            rows.episodes.append(delivery.episodeID)
            rows.numbers.append(Int64(delivery.eventNumber))
            rows.sources.append(delivery.event.source)
            rows.ids.append(delivery.id)
            rows.events.append(try EpisodeJSON.encode(delivery.event).bytea)
            rows.bodies.append(delivery.body.bytea)
            // No array of optionals binds: none is empty text.
            rows.traceparents.append(delivery.traceparent ?? traceparent ?? "")
        }
        var bindings = PostgresBindings()
        bindings.append(at)
        bindings.append(rows.partners)
        bindings.append(rows.episodes)
        bindings.append(rows.numbers)
        bindings.append(rows.sources)
        bindings.append(rows.ids)
        bindings.append(rows.events)
        bindings.append(rows.bodies)
        bindings.append(rows.traceparents)
        try await self.query(OutboxRowsInsert.self, bindings)
    }

    /// Outbox rows, pending, from columns; those planned before stay as they are.
    private enum OutboxRowsInsert: PreparedStatementText {
        static let sql = """
            INSERT INTO outbox (partner, episode_id, event_number, payload_ref, state, attempts, next_attempt_at,
                created_at, delivery_id, event, body, trace_parent)
            SELECT r.partner, r.episode_id, r.event_number, r.payload_ref, 'pending', 0, $1::bigint, $1::bigint,
                r.delivery_id, r.event, r.body, nullif(r.trace_parent, '')
            FROM unnest($2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::bytea[], $8::bytea[],
                $9::text[]) AS r(partner, episode_id, event_number, payload_ref, delivery_id, event, body, trace_parent)
            ON CONFLICT DO NOTHING
            """
    }

    /// Leases the due head of up to `limit` (partner, episode) streams in one statement.
    ///
    /// The head of a stream is its oldest row still pending or leased; it is claimable when due and its
    /// lease (if any) has expired. `FOR UPDATE … SKIP LOCKED` passes over heads another replica is
    /// claiming right now, and PostgreSQL re-checks the state and lease of a row that changed since the
    /// statement's snapshot before locking it, so two claimants never both lease one row, and a stream
    /// whose head is leased yields nothing: never its second row. Nor does a stream with any row leased
    /// (an operator's retry can put an older row back before one in flight): one row per stream at a time.
    /// Each due row is checked against its own stream through `outbox_stream`, so a claim reads the rows it
    /// returns and their streams, not every pending row; and its walk over `outbox_claimable` starts at the
    /// first row it may take, past the rows in flight (``PostgresMigration/claimableAt``).
    func claimOutbox(limit: Int, now: Int64, leaseMilliseconds: Int64) async throws(StoreError) -> [ClaimedDelivery] {
        var bindings = PostgresBindings()
        bindings.append(now)
        bindings.append(Int64(max(0, limit)))
        bindings.append(now + leaseMilliseconds)
        let rows = try await self.query(OutboxClaim.self, bindings)
        var claimed: [ClaimedDelivery] = []
        claimed.reserveCapacity(rows.count)
        var parties = EpisodePartiesCache()
        for row in rows {
            let (
                id, deliveryID, partner, episodeID, eventNumber, eventJSON, body, startedAt, attempts, retryAt, token,
                document, redeliveryOf, traceparent
            ) = try row.columns(
                (
                    Int64, String, String, String, Int64, ByteBuffer?, ByteBuffer?, Int64, Int64, Int64, String,
                    ByteBuffer?, String?, String?
                ).self
            )
            claimed.append(
                ClaimedDelivery(
                    entry: OutboxEntry(
                        delivery: PlannedDelivery(
                            id: deliveryID,
                            partnerID: partner,
                            episodeID: episodeID,
                            eventNumber: Int(eventNumber),
                            event: try OutboxEvent.decode([UInt8](bytea: eventJSON), row: id),
                            redeliveryOf: redeliveryOf,
                            body: [UInt8](bytea: body),
                            traceparent: traceparent
                        ),
                        // The retry budget: an operator's requeue restarts the age and the attempt count.
                        createdAt: Date(storeMilliseconds: startedAt),
                        attemptsMade: Int(attempts),
                        retryAt: attempts > 0 ? Date(storeMilliseconds: retryAt) : nil
                    ),
                    parties: parties.parties(of: episodeID, state: document.map { [UInt8](bytea: $0) }),
                    lease: OutboxLease(id: id, token: token)
                )
            )
        }
        return claimed
    }

    /// Leases the due heads of up to `$2` streams at `$1` until `$3` (``claimOutbox(limit:now:leaseMilliseconds:)``).
    private enum OutboxClaim: PreparedStatementText {
        static let sql = """
            WITH due AS (
                SELECT o.id FROM outbox AS o
                WHERE o.state IN ('pending', 'leased') AND o.delivery_id IS NOT NULL
                    AND greatest(o.next_attempt_at, coalesce(o.lease_until, 0)) <= $1::bigint
                    AND NOT EXISTS (
                        SELECT 1 FROM outbox AS p
                        WHERE p.partner = o.partner AND p.episode_id = o.episode_id AND p.id <> o.id
                            AND p.state IN ('pending', 'leased') AND p.delivery_id IS NOT NULL
                            AND (p.id < o.id OR (p.state = 'leased' AND p.lease_until > $1::bigint))
                    )
                ORDER BY greatest(o.next_attempt_at, coalesce(o.lease_until, 0)), o.id
                LIMIT $2::bigint
                FOR UPDATE OF o SKIP LOCKED
            ), claimed AS (
                UPDATE outbox SET state = 'leased', lease_owner = gen_random_uuid()::text, lease_until = $3::bigint
                FROM due WHERE outbox.id = due.id
                RETURNING outbox.id, outbox.delivery_id, outbox.partner, outbox.episode_id, outbox.event_number,
                    outbox.event, outbox.body, coalesce(outbox.requeued_at, outbox.created_at) AS started_at,
                    outbox.attempts - outbox.attempt_base AS attempts, outbox.next_attempt_at, outbox.lease_owner,
                    outbox.redelivery_of, outbox.trace_parent
            )
            SELECT c.id, c.delivery_id, c.partner, c.episode_id, c.event_number, c.event, c.body, c.started_at,
                c.attempts, c.next_attempt_at, c.lease_owner,
                (SELECT e.state FROM episode AS e WHERE e.id = c.episode_id), c.redelivery_of, c.trace_parent
            FROM claimed AS c
            ORDER BY c.next_attempt_at, c.id
            """
    }

    /// Gives back leased rows that were not attempted, guarded by their lease tokens: pending again and
    /// claimable at once, with no attempt counted. A row whose lease was lost meanwhile is left alone.
    func releaseOutbox(_ leases: [OutboxLease]) async throws(StoreError) {
        for lease in leases {
            try await self.query(
                """
                UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL
                WHERE id = \(lease.id) AND state = 'leased' AND lease_owner = \(lease.token)
                """
            )
        }
    }

    /// Records one outcome of a leased row inside the caller's transaction: locks the row and checks its
    /// lease token first; false (and nothing written) when the lease was lost meanwhile.
    ///
    /// One statement locks the row, records the attempt and its audit, and resolves the row
    /// (``OutboxCompletion``); an `audit` of the resolution follows it.
    func completeOutbox(
        _ lease: OutboxLease,
        attempt: DeliveryAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        let record = attempt.map(DeliveryAttemptAudit.init)
        var bindings = PostgresBindings()
        bindings.append(lease.id)
        bindings.append(lease.token)
        bindings.append(attempt != nil)
        bindings.append(attempt.map { Int64($0.number) })
        bindings.append(record?.at)
        bindings.append(attempt?.status.map(Int64.init))
        bindings.append(attempt?.error)
        bindings.append(attempt?.milliseconds)
        bindings.append(attempt?.httpVersion)
        bindings.append(attempt?.excerpt.bytea)
        bindings.append(record?.outcome.rawValue)
        bindings.append(record?.detail)
        switch resolution {
        case .delivered:
            bindings.append("delivered")
            bindings.append(Int64(0))
            bindings.append(Int64?.none)
            bindings.append(false)
            bindings.append(String?.none)
        case .retry(let at):
            bindings.append("pending")
            bindings.append(Int64(1))
            bindings.append(at.storeMilliseconds)
            bindings.append(true)
            bindings.append(attempt?.summary)
        case .deadLetter(let reason):
            bindings.append("dead")
            bindings.append(Int64(0))
            bindings.append(Int64?.none)
            bindings.append(true)
            bindings.append(reason)
        }
        let owned = try await self.query(OutboxCompletionWrite.self, bindings)
        guard !owned.isEmpty else { return false }
        if let audit { try await self.insertAudit(audit) }
        return true
    }

    /// Locks a leased row if its lease token still holds (`$1`, `$2`), records the attempt (when `$3`) with
    /// its audit record, and resolves the row: its state, attempts added, next attempt (kept when null),
    /// and its last error (when `$16`). Answers the row's id when it was still held.
    private enum OutboxCompletionWrite: PreparedStatementText {
        static let sql = """
            WITH owned AS (
                SELECT id, delivery_id, partner, episode_id, event_number FROM outbox
                WHERE id = $1::bigint AND state = 'leased' AND lease_owner = $2::text
                FOR UPDATE
            ), attempt AS (
                INSERT INTO delivery_attempt (outbox_id, delivery_id, partner, number, started_at, status, error,
                    duration_ms, http_version, excerpt)
                SELECT id, delivery_id, partner, $4::bigint, $5::bigint, $6::bigint, $7::text, $8::bigint, $9::text,
                    $10::bytea
                FROM owned WHERE $3::boolean
            ), attempt_audit AS (
                INSERT INTO audit (at, action, outcome, sender, resource_ref, correlation_id, detail, agent_role)
                SELECT $5::bigint, 'delivery-attempt', $11::text, coalesce(s.owner, o.partner),
                    'Episode/' || o.episode_id, o.delivery_id,
                    'delivery ' || coalesce(o.delivery_id, '') || ' to subscription ' || o.partner || ', event '
                        || o.event_number || ', ' || $12::text, 'partner'
                FROM owned o LEFT JOIN subscription s ON s.id = o.partner WHERE $3::boolean
            ), resolved AS (
                UPDATE outbox SET state = $13::text, attempts = attempts + $14::bigint,
                    next_attempt_at = coalesce($15::bigint, next_attempt_at), lease_owner = NULL, lease_until = NULL,
                    last_error = CASE WHEN $16::boolean THEN $17::text ELSE last_error END
                FROM owned WHERE outbox.id = owned.id
            )
            SELECT id FROM owned
            """
    }
}
