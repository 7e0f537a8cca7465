import CoManagement
import FHIRCore
import Foundation

extension SQLiteConnection {
    /// Plans and inserts the outbox rows for each episode change of one ingestion, inside the ingest
    /// transaction: each new delivery draws its event number from its subscription's counter, then gets its
    /// body; rows are inserted with `INSERT OR IGNORE` on the delivery id (one planned before keeps its row,
    /// number and body, and draws no number), and every refusal is audited.
    mutating func planOutbox(
        _ ingestion: Ingestion,
        resources: [Element],
        planning: any OutboxPlanning,
        traceparent: String?,
        messageID: Int64?,
        at: Int64
    ) throws(StoreError) {
        for change in ingestion.changes {
            // A re-keyed episode keeps its streams, as it keeps its timeline (``persist(_:book:messageID:at:)``):
            // its rows move to the new id, so order per subscription continues. A row that would collide
            // with one already under the new id stays behind and is dead-lettered when claimed.
            if let previous = change.previousEpisodeID, previous != change.episodeID {
                try self.query(
                    "UPDATE OR IGNORE outbox SET episode_id = ? WHERE episode_id = ?",
                    [.text(change.episodeID), .text(previous)]
                )
            }
            guard !change.events.isEmpty else { continue }
            let input = planning.input(change, resources: resources, traceparent: traceparent, at: at)
            var plan = planning.plan(input)
            var fresh: [PlannedDelivery] = []
            for delivery in plan.deliveries
            where try self.query("SELECT 1 FROM outbox WHERE delivery_id = ?", [.text(delivery.id)]).isEmpty {
                fresh.append(delivery)
            }
            plan.deliveries = fresh
            var drawn: [String: [Int]] = [:]
            for (subscription, count) in plan.numbersNeeded {
                drawn[subscription] = try self.drawEventNumbers(subscription, count: count, at: at)
            }
            plan.number(with: drawn)
            for var delivery in plan.deliveries {
                delivery.body = planning.render(delivery, input: input)
                try self.query(
                    """
                    INSERT OR IGNORE INTO outbox (partner, episode_id, event_number, payload_ref, state, attempts,
                        next_attempt_at, created_at, delivery_id, event, trace_parent)
                    VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(delivery.partnerID), .text(delivery.episodeID), .integer(Int64(delivery.eventNumber)),
                        .text(delivery.event.source), .integer(at), .integer(at), .text(delivery.id),
                        .blob(try EpisodeJSON.encode(delivery.event)), SQLiteValue(delivery.traceparent ?? traceparent),
                    ]
                )
                if self.changes == 1 {
                    try self.insertBody(delivery.body, of: self.lastInsertedRowID)
                }
            }
            for var audit in plan.audits {
                audit.messageID = audit.messageID ?? messageID
                try self.insertAudit(audit)
            }
        }
    }

    /// Stores the rendered notification of a new outbox row, apart from the row itself (``SQLiteMigration/outboxBodies``).
    mutating func insertBody(_ body: [UInt8], of outboxID: Int64) throws(StoreError) {
        try self.query("INSERT INTO outbox_body (outbox_id, body) VALUES (?, ?)", [.integer(outboxID), .blob(body)])
    }

    /// Leases the due head of up to `limit` (partner, episode) streams: each stream's oldest row not
    /// delivered or dead-lettered, if it is due, its lease (if any) has expired, and no other row of the
    /// stream is leased (an operator's retry can put an older row back before one in flight).
    ///
    /// With `run` above 1, each head is followed by up to `run - 1` rows after it in its stream, in order,
    /// as long as each is due and not leased: a *run* its forwarder sends one after the other without
    /// claiming again in between (``OutboxStore/claimOutbox(limit:run:now:lease:)``).
    ///
    /// The writer's part of a claim: it reads only what the indexes hold (``dueHeadsSQL``) and leases in one
    /// statement. The rows' events, bodies and episode documents are read afterwards, on any connection
    /// (``claimedDeliveries(_:)``): once leased, a row changes only by its lease holder.
    mutating func leaseDueOutbox(
        limit: Int,
        run: Int = 1,
        now: Int64,
        leaseMilliseconds: Int64
    ) throws(StoreError) -> OutboxClaim {
        let heads = try self.query(Self.dueHeadsSQL, [.integer(now), .integer(Int64(max(0, limit)))])
        // One token for the whole claim: the rows of a run are given back or completed one by one, each
        // with its own id and this token.
        var claim = OutboxClaim(ids: [], token: UUID().uuidString.lowercased())
        claim.ids.reserveCapacity(heads.count * run)
        for head in heads {
            let id = head.integer(0) ?? 0
            claim.ids.append(id)
            guard run > 1 else { continue }
            let followers = try self.query(
                """
                SELECT o.id, o.claimable_at FROM outbox AS o
                WHERE o.partner = ? AND o.episode_id = ? AND o.id > ? AND o.state IN ('pending', 'leased')
                    AND o.delivery_id IS NOT NULL
                ORDER BY o.id LIMIT ?
                """,
                [.text(head.text(1) ?? ""), .text(head.text(2) ?? ""), .integer(id), .integer(Int64(run - 1))]
            )
            for next in followers {
                guard (next.integer(1) ?? 0) <= now else { break }
                claim.ids.append(next.integer(0) ?? 0)
            }
        }
        guard !claim.ids.isEmpty else { return claim }
        try self.query(
            """
            UPDATE outbox SET state = 'leased', lease_owner = ?1, lease_until = ?2
            WHERE id IN (SELECT value FROM json_each(?3))
            """,
            [.text(claim.token), .integer(now + leaseMilliseconds), .text(claim.idList)]
        )
        return claim
    }

    /// The due heads of streams, oldest first: rows that may be claimed now (`claimable_at`: due, and any
    /// lease run out) with no earlier row of their stream pending or leased and no later one leased. The
    /// walk over `outbox_ready` starts at the first claimable row, so rows in flight cost it nothing
    /// (``SQLiteMigration/claimableAt``). Parameters: now, then the limit.
    static let dueHeadsSQL = """
        SELECT r.id, r.partner, r.episode_id FROM outbox AS r
        WHERE r.state IN ('pending', 'leased') AND r.delivery_id IS NOT NULL AND r.claimable_at <= ?1
            AND NOT EXISTS (
                SELECT 1 FROM outbox AS p
                WHERE p.partner = r.partner AND p.episode_id = r.episode_id AND p.id <> r.id
                    AND p.state IN ('pending', 'leased') AND p.delivery_id IS NOT NULL
                    AND (p.id < r.id OR (p.state = 'leased' AND p.lease_until > ?1))
            )
        ORDER BY r.claimable_at, r.id
        LIMIT ?2
        """

    /// The rows a claim leased, in claim order, each with its episode's current parties; a row whose lease
    /// was lost meanwhile is left out. Runs on any connection, after the claim committed.
    mutating func claimedDeliveries(_ claim: OutboxClaim) throws(StoreError) -> [ClaimedDelivery] {
        guard !claim.ids.isEmpty else { return [] }
        // One statement for rows, bodies and episode documents: a run's rows share their episode, whose
        // document then comes back once per row, which costs less than a lookup statement per episode.
        var rows: [Int64: SQLiteRow] = [:]
        for row in try self.query(
            """
            SELECT o.id, o.delivery_id, o.partner, o.episode_id, o.event_number, o.event, b.body,
                coalesce(o.requeued_at, o.created_at), o.attempts - o.attempt_base, o.next_attempt_at, o.redelivery_of,
                e.state, o.trace_parent
            FROM outbox AS o
            LEFT JOIN outbox_body AS b ON b.outbox_id = o.id
            LEFT JOIN episode AS e ON e.id = o.episode_id
            WHERE o.id IN (SELECT value FROM json_each(?1)) AND o.state = 'leased' AND o.lease_owner = ?2
            """,
            [.text(claim.idList), .text(claim.token)]
        ) {
            rows[row.integer(0) ?? 0] = row
        }
        // The rows of a run share their episode: its parties are decoded once.
        var parties = EpisodePartiesCache()
        var claimed: [ClaimedDelivery] = []
        claimed.reserveCapacity(rows.count)
        for id in claim.ids {
            guard let row = rows[id] else { continue }
            let attempts = row.int(8)
            claimed.append(
                ClaimedDelivery(
                    entry: OutboxEntry(
                        delivery: PlannedDelivery(
                            id: row.text(1) ?? "",
                            partnerID: row.text(2) ?? "",
                            episodeID: row.text(3) ?? "",
                            eventNumber: row.int(4),
                            event: try OutboxEvent.decode(row.blob(5), row: id),
                            redeliveryOf: row.text(10),
                            body: row.blob(6),
                            traceparent: row.text(12)
                        ),
                        createdAt: Date(storeMilliseconds: row.integer(7) ?? 0),
                        attemptsMade: attempts,
                        retryAt: attempts > 0 ? Date(storeMilliseconds: row.integer(9) ?? 0) : nil
                    ),
                    parties: parties.parties(of: row.text(3) ?? "", state: row.blob(11)),
                    lease: OutboxLease(id: id, token: claim.token)
                )
            )
        }
        return claimed
    }

    /// Gives back leased rows that were not attempted, guarded by their lease tokens: pending again and
    /// claimable at once, with no attempt counted. A row whose lease was lost meanwhile is left alone.
    mutating func releaseOutbox(_ leases: [OutboxLease]) throws(StoreError) {
        for lease in leases {
            try self.query(
                """
                UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND state = 'leased' AND lease_owner = ?
                """,
                [.integer(lease.id), .text(lease.token)]
            )
        }
    }

    /// Records one outcome of a leased row, guarded by its lease token; false (and nothing written) when
    /// the lease was lost meanwhile.
    mutating func completeOutbox(
        _ lease: OutboxLease,
        attempt: DeliveryAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) throws(StoreError) -> Bool {
        // The row's new state, guarded by the lease: no row changed means the lease was lost, and nothing is
        // written. (No RETURNING: see ``changes``.)
        let (id, leaseToken) = (lease.id, lease.token)
        let guarded = "WHERE id = ? AND state = 'leased' AND lease_owner = ?"
        switch resolution {
        case .delivered:
            try self.query(
                "UPDATE outbox SET state = 'delivered', lease_owner = NULL, lease_until = NULL \(guarded)",
                [.integer(id), .text(leaseToken)]
            )
        case .retry(let at):
            try self.query(
                """
                UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?,
                    lease_owner = NULL, lease_until = NULL, last_error = ?
                \(guarded)
                """,
                [
                    .integer(at.storeMilliseconds), attempt.map { .text($0.summary) } ?? .null,
                    .integer(id), .text(leaseToken),
                ]
            )
        case .deadLetter(let reason):
            try self.query(
                "UPDATE outbox SET state = 'dead', lease_owner = NULL, lease_until = NULL, last_error = ? \(guarded)",
                [.text(reason), .integer(id), .text(leaseToken)]
            )
        }
        guard self.changes == 1 else { return false }
        if let attempt {
            try self.query(
                """
                INSERT INTO delivery_attempt (outbox_id, delivery_id, partner, number, started_at, status, error,
                    duration_ms, http_version, excerpt)
                SELECT id, coalesce(delivery_id, ''), partner, ?, ?, ?, ?, ?, ?, ? FROM outbox WHERE id = ?
                """,
                [
                    .integer(Int64(attempt.number)), .integer(attempt.startedAt.storeMilliseconds),
                    attempt.status.map { .integer(Int64($0)) } ?? .null, attempt.error.map { .text($0) } ?? .null,
                    .integer(attempt.milliseconds), attempt.httpVersion.map { .text($0) } ?? .null,
                    .blob(attempt.excerpt), .integer(id),
                ]
            )
            let record = DeliveryAttemptAudit(attempt)
            try self.query(
                """
                INSERT INTO audit (at, action, outcome, sender, resource_ref, correlation_id, detail, agent_role)
                SELECT ?, 'delivery-attempt', ?, coalesce(s.owner, o.partner), 'Episode/' || o.episode_id, o.delivery_id,
                    'delivery ' || coalesce(o.delivery_id, '') || ' to subscription ' || o.partner || ', event '
                        || o.event_number || ', ' || ?, 'partner'
                FROM outbox o LEFT JOIN subscription s ON s.id = o.partner WHERE o.id = ?
                """,
                [.integer(record.at), .text(record.outcome.rawValue), .text(record.detail), .integer(id)]
            )
        }
        if let audit { try self.insertAudit(audit) }
        return true
    }
}

/// What one claim leased: the rows' ids in claim order (heads, each followed by its run) and the claim's
/// one lease token.
struct OutboxClaim: Sendable {
    var ids: [Int64]
    var token: String

    /// The ids as a JSON array, for `json_each`: one statement, prepared once, whatever the claim's size.
    var idList: String { "[" + self.ids.map(String.init).joined(separator: ",") + "]" }
}
