import CoManagement
import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

/// The outbox plan of one episode change of an ingestion, before its deliveries are numbered.
struct ChangeOutboxPlan {
    var change: Ingestion.EpisodeChange
    var input: OutboxPlanningInput
    var plan: OutboxPlan
}

extension PostgresSession {
    /// Plans the outbox rows of each episode change of one ingestion (none for a change without events);
    /// pure. The plans' deliveries are numbered by the statement that writes the partition
    /// (``write(_:messageID:at:audits:numbering:)``), then inserted (``insertOutbox(_:numbered:planning:traceparent:messageID:at:)``).
    static func planOutbox(
        _ ingestion: Ingestion,
        resources: [Element],
        planning: any OutboxPlanning,
        traceparent: String?,
        at: Int64
    ) -> [ChangeOutboxPlan] {
        ingestion.changes.map { change in
            let input = planning.input(change, resources: resources, traceparent: traceparent, at: at)
            return ChangeOutboxPlan(
                change: change,
                input: input,
                plan: change.events.isEmpty ? OutboxPlan() : planning.plan(input)
            )
        }
    }

    /// Inserts the outbox rows of `plans`, inside the ingest transaction, with the message's partitions
    /// locked (so an episode's events are numbered in order). `numbered` holds, per delivery id, the
    /// number drawn from its subscription's sequence: nil when the row was planned before (it keeps its
    /// row, number and body, as SQLite's `INSERT OR IGNORE` skips it), 0 when the sequence does not exist
    /// yet (``drawEventNumbers(_:count:at:)`` makes it). Refusals are audited.
    ///
    /// Returns whether any row was written.
    @discardableResult
    func insertOutbox(
        _ plans: [ChangeOutboxPlan],
        numbered: [String: Int64?],
        planning: any OutboxPlanning,
        traceparent: String?,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) -> Bool {
        var planned = false
        for var entry in plans {
            let change = entry.change
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
            entry.plan.number(with: try await self.drawNumbers(for: &entry.plan, numbered: numbered, at: at))
            planned = planned || !entry.plan.deliveries.isEmpty
            try await self.insertOutboxRows(
                entry.plan.deliveries,
                planning: planning,
                input: entry.input,
                traceparent: traceparent,
                at: at
            )
            for var audit in entry.plan.audits {
                audit.messageID = audit.messageID ?? messageID
                try await self.insertAudit(audit)
            }
        }
        return planned
    }

    /// Drops from `plan` the deliveries planned before and gives the others the numbers `numbered` drew;
    /// a subscription without a sequence yet gets one first (``drawEventNumbers(_:count:at:)``).
    private func drawNumbers(
        for plan: inout OutboxPlan,
        numbered: [String: Int64?],
        at: Int64
    ) async throws(StoreError) -> [String: [Int]] {
        plan.deliveries.removeAll { numbered[$0.id] == .some(nil) }
        var drawn: [String: [Int]] = [:]
        var unsequenced: [String: Int] = [:]
        for delivery in plan.deliveries {
            guard let number = numbered[delivery.id] ?? nil, number > 0 else {
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

    /// The numbering part of the statement that writes a partition: per delivery id (`$1`) with its
    /// subscription's sequence (`$2`), null when the row was planned before, else the next number of the
    /// sequence, or 0 when the sequence does not exist.
    enum OutboxNumbering {
        static let parameters = 2

        static let select = """
            SELECT d.id, CASE
                WHEN (SELECT delivery_id FROM outbox WHERE delivery_id = d.id) IS NOT NULL THEN NULL
                WHEN to_regclass(d.sequence) IS NULL THEN 0
                ELSE nextval(d.sequence::regclass)
            END
            FROM unnest($1::text[], $2::text[]) AS d(id, sequence)
            """

        /// Appends the bindings of ``select`` for the deliveries of `plans`.
        static func bind(_ plans: [ChangeOutboxPlan], into bindings: inout PostgresBindings) {
            let deliveries = plans.flatMap(\.plan.deliveries)
            bindings.append(deliveries.map(\.id))
            bindings.append(deliveries.map { PostgresSession.sequenceName(for: $0.partnerID) })
        }

        /// The rows of ``select``, by delivery id.
        static func numbers(_ rows: [PostgresRow]) throws(StoreError) -> [String: Int64?] {
            var numbered: [String: Int64?] = [:]
            for row in rows {
                let (id, number) = try row.columns((String, Int64?).self)
                numbered[id] = .some(number)
            }
            return numbered
        }
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
    ///
    /// With `run` above 1, each head is followed by up to `run - 1` rows after it in its stream, in order,
    /// as long as each is due, leased with it: a *run* (``OutboxStore/claimOutbox(limit:run:now:lease:)``).
    /// Only the claimant holding a stream's head reaches its later rows, so they are leased without
    /// waiting; the stream stays closed to other claimants until its last leased row is resolved or its
    /// lease runs out.
    func claimOutbox(
        limit: Int,
        run: Int = 1,
        now: Int64,
        leaseMilliseconds: Int64
    ) async throws(StoreError) -> [ClaimedDelivery] {
        var bindings = PostgresBindings()
        bindings.append(now)
        bindings.append(Int64(max(0, limit)))
        bindings.append(now + leaseMilliseconds)
        bindings.append(Int64(max(0, run - 1)))
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

    /// Leases the due heads of up to `$2` streams at `$1` until `$3`, each followed by up to `$4` due rows
    /// of its stream (``claimOutbox(limit:run:now:leaseMilliseconds:)``); answers them head by head, each
    /// head followed by its run.
    private enum OutboxClaim: PreparedStatementText {
        static let sql = """
            WITH due AS (
                SELECT o.id, o.partner, o.episode_id FROM outbox AS o
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
            ), followers AS (
                SELECT f.id, d.id AS head FROM due AS d
                    CROSS JOIN LATERAL (
                        SELECT n.id, bool_and(n.claimable) OVER (ORDER BY n.id) AS unbroken FROM (
                            SELECT o.id, greatest(o.next_attempt_at, coalesce(o.lease_until, 0)) <= $1::bigint
                                AS claimable
                            FROM outbox AS o
                            WHERE o.partner = d.partner AND o.episode_id = d.episode_id AND o.id > d.id
                                AND o.state IN ('pending', 'leased') AND o.delivery_id IS NOT NULL
                            ORDER BY o.id LIMIT $4::bigint
                        ) AS n
                    ) AS f
                WHERE f.unbroken
            ), picked AS (
                SELECT id, id AS head FROM due
                UNION ALL
                SELECT id, head FROM followers
            ), claimed AS (
                UPDATE outbox SET state = 'leased', lease_owner = gen_random_uuid()::text, lease_until = $3::bigint
                FROM picked WHERE outbox.id = picked.id AND outbox.state IN ('pending', 'leased')
                RETURNING outbox.id, picked.head, outbox.delivery_id, outbox.partner, outbox.episode_id,
                    outbox.event_number, outbox.event, outbox.body,
                    coalesce(outbox.requeued_at, outbox.created_at) AS started_at,
                    outbox.attempts - outbox.attempt_base AS attempts, outbox.next_attempt_at, outbox.lease_owner,
                    outbox.redelivery_of, outbox.trace_parent
            )
            SELECT c.id, c.delivery_id, c.partner, c.episode_id, c.event_number, c.event, c.body, c.started_at,
                c.attempts, c.next_attempt_at, c.lease_owner,
                (SELECT e.state FROM episode AS e WHERE e.id = c.episode_id), c.redelivery_of, c.trace_parent
            FROM claimed AS c JOIN claimed AS h ON h.id = c.head
            ORDER BY h.next_attempt_at, c.head, c.id
            """
    }

    /// Gives back leased rows that were not attempted, guarded by their lease tokens: pending again and
    /// claimable at once, with no attempt counted. A row whose lease was lost meanwhile is left alone.
    func releaseOutbox(_ leases: [OutboxLease]) async throws(StoreError) {
        _ = try await self.completeOutbox([], releasing: leases)
    }

    /// Records outcomes of leased rows and gives back the unattempted ones, in one statement
    /// (``OutboxCompletionsWrite``): each row is locked and its lease token checked first, and a row whose
    /// lease was lost meanwhile is left alone (nothing of its outcome is written). Answers the rows whose
    /// outcomes were recorded.
    func completeOutbox(
        _ completions: [OutboxCompletion],
        releasing leases: [OutboxLease]
    ) async throws(StoreError) -> Set<Int64> {
        guard !completions.isEmpty || !leases.isEmpty else { return [] }
        let attempts = completions.map(\.attempt)
        let records = attempts.map { $0.map(DeliveryAttemptAudit.init) }
        let audits = completions.map(\.audit)
        var bindings = PostgresBindings()
        bindings.append(completions.map(\.lease.id))
        bindings.append(completions.map(\.lease.token))
        bindings.append(NullableArray(attempts.map { $0.map { Int64($0.number) } }))
        bindings.append(NullableArray(records.map { $0?.at }))
        bindings.append(NullableArray(attempts.map { $0?.status.map(Int64.init) }))
        bindings.append(NullableArray(attempts.map { $0?.error }))
        bindings.append(NullableArray(attempts.map { $0?.milliseconds }))
        bindings.append(NullableArray(attempts.map { $0?.httpVersion }))
        bindings.append(NullableArray(attempts.map { $0.map { ByteBuffer(bytes: $0.excerpt) } }))
        bindings.append(NullableArray(records.map { $0?.outcome.rawValue }))
        bindings.append(NullableArray(records.map { $0?.detail }))
        bindings.append(completions.map(\.resolution.state))
        bindings.append(completions.map { $0.resolution.countsAnAttempt ? Int64(1) : 0 })
        bindings.append(NullableArray(completions.map(\.resolution.retryAt)))
        bindings.append(NullableArray(zip(completions, attempts).map { $0.resolution.lastError(after: $1) }))
        bindings.append(NullableArray(audits.map { $0?.at.storeMilliseconds }))
        bindings.append(NullableArray(audits.map { $0?.action }))
        bindings.append(NullableArray(audits.map { $0?.outcome.rawValue }))
        bindings.append(NullableArray(audits.map { $0?.sender }))
        bindings.append(NullableArray(audits.map { $0?.resourceReference }))
        bindings.append(NullableArray(audits.map { $0?.messageID }))
        bindings.append(NullableArray(audits.map { $0?.correlationID }))
        bindings.append(NullableArray(audits.map { $0?.detail }))
        bindings.append(NullableArray(audits.map { $0?.role }))
        bindings.append(NullableArray(audits.map { $0?.patient }))
        bindings.append(NullableArray(audits.map { $0?.source }))
        bindings.append(completions.map { $0.resolution.setsLastError })
        bindings.append(leases.map(\.id))
        bindings.append(leases.map(\.token))
        var owned: Set<Int64> = []
        for row in try await self.query(OutboxCompletionsWrite.self, bindings) {
            owned.insert(try row.columns(Int64.self))
        }
        return owned
    }

    /// Outcomes `$1`…`$27`, one array element per leased row (`$1` ids, `$2` lease tokens): the attempt
    /// when `$3` is not null, with its audit record; the row's resolution (`$12` state, `$13` attempts
    /// added, `$14` next attempt or null to keep it, `$15` its last error when `$27`); the resolution's
    /// own audit entry when `$16` is not null. Then the leases `$28`, `$29` given back.
    ///
    /// Rows are found and locked one by one by id, in id order, so two forwarders never wait for each other
    /// in opposite orders.
    private enum OutboxCompletionsWrite: PreparedStatementText {
        static let sql = """
            WITH outcome AS (
                SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::text[],
                    $7::int8[], $8::text[], $9::bytea[], $10::text[], $11::text[], $12::text[], $13::int8[],
                    $14::int8[], $15::text[], $16::int8[], $17::text[], $18::text[], $19::text[], $20::text[],
                    $21::int8[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::bool[])
                    WITH ORDINALITY AS c(id, token, number, started_at, status, error, duration_ms, http_version,
                        excerpt, attempt_outcome, attempt_detail, state, attempts, next_attempt_at, last_error,
                        audit_at, action, audit_outcome, sender, resource_ref, message_id, correlation_id, detail,
                        agent_role, patient_ref, source_address, sets_error, position)
            ), owned AS (
                SELECT o.* FROM (SELECT id, token FROM outcome ORDER BY id) AS c
                    CROSS JOIN LATERAL (
                        SELECT id, delivery_id, partner, episode_id, event_number FROM outbox
                        WHERE outbox.id = c.id AND state = 'leased' AND lease_owner = c.token
                        OFFSET 0 FOR UPDATE
                    ) AS o
            ), recorded AS (
                SELECT c.*, o.delivery_id, o.partner, o.episode_id, o.event_number,
                    (SELECT s.owner FROM subscription AS s WHERE s.id = o.partner) AS owner
                FROM outcome AS c JOIN owned AS o ON o.id = c.id
            ), attempt AS (
                INSERT INTO delivery_attempt (outbox_id, delivery_id, partner, number, started_at, status, error,
                    duration_ms, http_version, excerpt)
                SELECT id, delivery_id, partner, number, started_at, status, error, duration_ms, http_version,
                    excerpt
                FROM recorded WHERE number IS NOT NULL ORDER BY position
            ), audited AS (
                INSERT INTO audit (at, action, outcome, sender, resource_ref, message_id, correlation_id, detail,
                    agent_role, patient_ref, source_address)
                SELECT at, action, outcome, sender, resource_ref, message_id, correlation_id, detail, agent_role,
                    patient_ref, source_address
                FROM (
                    SELECT position, 0 AS step, started_at AS at, 'delivery-attempt' AS action,
                        attempt_outcome AS outcome, coalesce(owner, partner) AS sender,
                        'Episode/' || episode_id AS resource_ref, NULL::int8 AS message_id,
                        delivery_id AS correlation_id,
                        'delivery ' || coalesce(delivery_id, '') || ' to subscription ' || partner || ', event '
                            || event_number || ', ' || attempt_detail AS detail,
                        'partner' AS agent_role, NULL::text AS patient_ref, NULL::text AS source_address
                    FROM recorded WHERE number IS NOT NULL
                    UNION ALL
                    SELECT position, 1, audit_at, action, audit_outcome, sender, resource_ref, message_id,
                        correlation_id, detail, agent_role, patient_ref, source_address
                    FROM recorded WHERE audit_at IS NOT NULL
                ) AS entries
                ORDER BY position, step
            ), resolved AS (
                UPDATE outbox SET state = r.state, attempts = outbox.attempts + r.attempts,
                    next_attempt_at = coalesce(r.next_attempt_at, outbox.next_attempt_at), lease_owner = NULL,
                    lease_until = NULL,
                    last_error = CASE WHEN r.sets_error THEN r.last_error ELSE outbox.last_error END
                FROM recorded AS r WHERE outbox.id = r.id
            ), released AS (
                UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL
                FROM unnest($28::int8[], $29::text[]) AS l(id, token)
                WHERE outbox.id = l.id AND outbox.state = 'leased' AND outbox.lease_owner = l.token
            )
            SELECT id FROM owned
            """
    }
}

extension OutboxResolution {
    /// The row's state once resolved.
    fileprivate var state: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "pending"
        case .deadLetter: "dead"
        }
    }

    fileprivate var countsAnAttempt: Bool {
        if case .retry = self { return true }
        return false
    }

    /// When a retry is due; nil keeps the row's time.
    fileprivate var retryAt: Int64? {
        if case .retry(let at) = self { return at.storeMilliseconds }
        return nil
    }

    /// Whether the row's last error changes (``lastError(after:)``): not when it was delivered.
    fileprivate var setsLastError: Bool {
        if case .delivered = self { return false }
        return true
    }

    /// The row's last error after this resolution, when ``setsLastError``.
    fileprivate func lastError(after attempt: DeliveryAttempt?) -> String? {
        switch self {
        case .delivered: nil
        case .retry: attempt?.summary
        case .deadLetter(let reason): reason
        }
    }
}
