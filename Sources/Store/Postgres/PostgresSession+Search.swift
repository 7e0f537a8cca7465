import CoManagement
import Foundation
import NIOCore
import PostgresNIO

/// FHIR search on PostgreSQL, as SQLite's store does it (``SQLiteConnection/search(_:)``): resources by
/// their index tokens, their `resource` row and the episodes that hold them; and the audit trail.
extension PostgresSession {
    func search(_ query: ResourceQuery) async throws(StoreError) -> SearchPage {
        if query.matchesNothing { return SearchPage(resources: [], total: 0, next: nil) }
        var count = PostgresQueryBuilder("SELECT count(*) FROM resource r WHERE ")
        Self.filter(query, into: &count)
        let total = Int(try await self.count(count.query))
        guard query.count > 0 else { return SearchPage(resources: [], total: total, next: nil) }
        let newest = query.order == .newestFirst
        // The page's rows first, then their versions: the planner orders the resources alone through
        // `resource_by_update` and stops, where a join's misjudged size had it sort every match.
        var page = PostgresQueryBuilder()
        page.add(
            """
            SELECT r.id, r.version, r.last_updated, r.owner, v.content FROM (
                SELECT r.type, r.id, r.version, r.last_updated, r.owner FROM resource r WHERE 
            """
        )
        Self.filter(query, into: &page)
        if let after = query.after {
            page.add(" AND (r.last_updated, r.id) \(newest ? "<" : ">") (?, ?)", after.lastUpdated, after.id)
        }
        let direction = newest ? "DESC" : "ASC"
        page.add(" ORDER BY r.last_updated \(direction), r.id \(direction) LIMIT ?", Int64(query.count + 1))
        page.add(
            """
            ) AS r JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
            ORDER BY r.last_updated \(direction), r.id \(direction)
            """
        )
        let rows = try await self.query(page.query)
        var resources: [StoredResource] = []
        for row in rows.prefix(query.count) {
            let (id, version, lastUpdated, owner, content) = try row.columns(
                (String, Int64, Int64, String, ByteBuffer?).self
            )
            resources.append(
                StoredResource(
                    type: query.type,
                    id: id,
                    version: Int(version),
                    owner: owner,
                    lastUpdated: Date(storeMilliseconds: lastUpdated),
                    content: [UInt8](bytea: content)
                )
            )
        }
        let next =
            rows.count > query.count
            ? resources.last.map { ResourceQuery.Cursor(lastUpdated: $0.lastUpdated.storeMilliseconds, id: $0.id) }
            : nil
        return SearchPage(resources: resources, total: total, next: next)
    }

    func auditEvents(_ query: AuditQuery) async throws(StoreError) -> AuditPage {
        var count = PostgresQueryBuilder("SELECT count(*) FROM audit a WHERE ")
        Self.filter(query, into: &count)
        let total = Int(try await self.count(count.query))
        var page = PostgresQueryBuilder(
            """
            SELECT a.id, a.at, a.action, a.outcome, a.sender, a.resource_ref, a.message_id, a.correlation_id,
                a.detail, a.agent_role, a.patient_ref, a.source_address FROM audit a WHERE 
            """
        )
        Self.filter(query, into: &page)
        if let after = query.after { page.add(query.newestFirst ? " AND a.id < ?" : " AND a.id > ?", after) }
        page.add(" ORDER BY a.id \(query.newestFirst ? "DESC" : "ASC") LIMIT ?", Int64(query.count))
        var entries: [AuditEntry] = []
        for row in try await self.query(page.query) {
            entries.append(try Self.auditEntry(row))
        }
        return AuditPage(entries: entries, total: total)
    }

    /// The conditions of a resource search, on `resource r`.
    private static func filter(_ query: ResourceQuery, into builder: inout PostgresQueryBuilder) {
        builder.add("r.type = ? AND NOT r.deleted", query.type)
        if let ids = query.ids { builder.add(" AND r.id = ANY(?)", ids) }
        for group in query.tokens {
            builder.add(
                " AND r.id IN (SELECT t.id FROM resource_identifier t WHERE t.type = ? AND t.token = ANY(?))",
                query.type,
                group
            )
        }
        for group in query.prefixes {
            builder.add(
                """
                 AND r.id IN (SELECT t.id FROM resource_identifier t, unnest(?::text[]) AS p(prefix)
                    WHERE t.type = ? AND starts_with(t.token, p.prefix))
                """,
                group,
                query.type
            )
        }
        if let from = query.updatedFrom { builder.add(" AND r.last_updated >= ?", from.storeMilliseconds) }
        if let before = query.updatedBefore { builder.add(" AND r.last_updated < ?", before.storeMilliseconds) }
        switch query.scope {
        case .everything: break
        case .owner(let owner): builder.add(" AND r.owner = ?", owner)
        case .episodes(let episodes):
            builder.add(
                // episode_member is keyed (reference, episode_id): each candidate looks up its own reference.
                " AND EXISTS (SELECT 1 FROM episode_member m WHERE m.reference = r.type || '/' || r.id"
                    + " AND m.episode_id = ANY(?))",
                episodes
            )
        }
    }

    /// The conditions of an audit search, on `audit a`.
    private static func filter(_ query: AuditQuery, into builder: inout PostgresQueryBuilder) {
        builder.add("TRUE")
        if let from = query.from { builder.add(" AND a.at >= ?", from.storeMilliseconds) }
        if let before = query.before { builder.add(" AND a.at < ?", before.storeMilliseconds) }
        if let agents = query.agents { builder.add(" AND a.sender = ANY(?)", agents) }
        if let entities = query.entities {
            builder.add(
                """
                 AND EXISTS (SELECT 1 FROM unnest(?::text[]) AS e(value)
                    WHERE a.resource_ref = e.value OR a.patient_ref = e.value
                        OR starts_with(a.resource_ref, e.value || '/_history/'))
                """,
                entities
            )
        }
        if let deliveries = query.deliveries {
            builder.add(
                deliveries ? " AND starts_with(a.action, 'delivery')" : " AND NOT starts_with(a.action, 'delivery')"
            )
        }
        if let outcomes = query.outcomes { builder.add(" AND a.outcome = ANY(?)", outcomes) }
    }

    /// The number a `SELECT count(*)` answers.
    private func count(_ query: PostgresQuery) async throws(StoreError) -> Int64 {
        guard let row = try await self.query(query).first else { return 0 }
        return try row.columns(Int64.self)
    }

    func episodeParties(routedTo partner: String) async throws(StoreError) -> [EpisodeParties] {
        var parties: [EpisodeParties] = []
        for row in try await self.query(
            """
            SELECT e.state FROM episode e
            WHERE e.status != 'retired' AND e.id IN (
                SELECT o.episode_id FROM outbox o
                WHERE o.partner = \(partner) OR o.partner IN (SELECT s.id FROM subscription s WHERE s.owner = \(partner)))
            """
        ) {
            let state = try row.columns(ByteBuffer?.self)
            if let decoded = try? EpisodeJSON.decode(EpisodeParties.self, from: [UInt8](bytea: state)) {
                parties.append(decoded)
            }
        }
        return parties
    }

    /// Indexes every resource again with `indexing`'s rules when the store's index is older (see
    /// ``SQLiteConnection/reindexSearch(_:at:)``), under the migration lock so one replica does it; the
    /// resources' rows are locked batch by batch, so a concurrent write of one waits and is indexed anew.
    func reindexSearch(_ indexing: any SearchIndexing, at: Int64) async throws(StoreError) -> Int {
        let current = try await self.query("SELECT value FROM store_state WHERE name = 'search_index'").first
        let version = try current.map { row throws(StoreError) in Int(try row.columns(String.self)) ?? 0 } ?? 0
        guard version < indexing.version else { return 0 }
        var indexed = 0
        var after = ("", "")
        while true {
            let batch = try await self.transaction { (session) throws(StoreError) -> (Int, (String, String)?) in
                let rows = try await session.query(
                    """
                    SELECT r.type, r.id, v.content FROM resource r
                        JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
                    WHERE NOT r.deleted AND (r.type, r.id) > (\(after.0), \(after.1))
                    ORDER BY r.type, r.id LIMIT 500 FOR UPDATE OF r
                    """
                )
                var last: (String, String)?
                for row in rows {
                    let (type, id, content) = try row.columns((String, String, ByteBuffer?).self)
                    try await session.query("DELETE FROM resource_identifier WHERE type = \(type) AND id = \(id)")
                    let tokens = Array(Set(indexing.tokens(type: type, content: [UInt8](bytea: content)))).sorted()
                    if !tokens.isEmpty {
                        try await session.query(
                            """
                            INSERT INTO resource_identifier (type, token, id)
                            SELECT \(type), token, \(id) FROM unnest(\(tokens)::text[]) AS token ON CONFLICT DO NOTHING
                            """
                        )
                    }
                    last = (type, id)
                }
                return (rows.count, last)
            }
            indexed += batch.0
            guard let last = batch.1 else { break }
            after = last
        }
        try await self.query(
            """
            INSERT INTO store_state (name, value, changed_at) VALUES ('search_index', \(String(indexing.version)), \(at))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at
            """
        )
        return indexed
    }

    /// Per subscription: rows pending or leased, the oldest due, rows dead. Reads only those rows, through
    /// the partial indexes `outbox_stream` and `outbox_dead`, not the delivered history.
    func outboxStatistics(now: Int64) async throws(StoreError) -> [OutboxStatistics] {
        var statistics: [String: OutboxStatistics] = [:]
        for row in try await self.query(
            """
            SELECT c.partner, coalesce((SELECT s.owner FROM subscription AS s WHERE s.id = c.partner), c.partner),
                c.depth, c.oldest, c.dead
            FROM (
                SELECT partner, count(*) FILTER (WHERE NOT dead) AS depth, min(due_at) AS oldest,
                    count(*) FILTER (WHERE dead) AS dead
                FROM (
                    SELECT o.partner, false AS dead,
                        CASE WHEN o.state = 'pending' AND o.next_attempt_at <= \(now) THEN o.next_attempt_at END AS due_at
                    FROM outbox AS o WHERE o.state IN ('pending', 'leased')
                    UNION ALL
                    SELECT o.partner, true, NULL FROM outbox AS o WHERE o.state = 'dead'
                ) AS open
                GROUP BY partner
            ) AS c
            """
        ) {
            let (subscription, owner, depth, oldest, dead) = try row.columns(
                (String, String, Int64, Int64?, Int64).self
            )
            statistics[subscription] = OutboxStatistics(
                subscription: subscription,
                partner: owner,
                depth: Int(depth),
                oldestDue: oldest.map { Date(storeMilliseconds: $0) },
                dead: Int(dead)
            )
        }
        return statistics.keys.sorted().map { statistics[$0]! }
    }
}
