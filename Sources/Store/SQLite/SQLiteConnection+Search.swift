import CoManagement
import Foundation

/// FHIR search on SQLite: resources by their index tokens (`resource_identifier`), their `resource` row
/// (type, owner, last updated) and the episodes that hold them (`episode_member`); and the audit trail.
extension SQLiteConnection {
    /// One page of the query, with the total.
    mutating func search(_ query: ResourceQuery) throws(StoreError) -> SearchPage {
        if query.matchesNothing { return SearchPage(resources: [], total: 0, next: nil) }
        var conditions = ["r.type = ?", "r.deleted = 0"]
        var bindings: [SQLiteValue] = [.text(query.type)]
        if let ids = query.ids {
            conditions.append("r.id IN (SELECT value FROM json_each(?))")
            bindings.append(.text(Self.jsonArray(ids)))
        }
        for group in query.tokens {
            conditions.append(
                "r.id IN (SELECT t.id FROM resource_identifier t WHERE t.type = ? AND t.token IN (SELECT value FROM json_each(?)))"
            )
            bindings += [.text(query.type), .text(Self.jsonArray(group))]
        }
        for group in query.prefixes {
            // Each alternative as a range of the token index: [prefix, prefix + U+10FFFF).
            let ranges = Array(repeating: "(t.token >= ? AND t.token < ?)", count: group.count)
            conditions.append(
                "r.id IN (SELECT t.id FROM resource_identifier t WHERE t.type = ? AND (\(ranges.joined(separator: " OR "))))"
            )
            bindings.append(.text(query.type))
            for prefix in group { bindings += [.text(prefix), .text(prefix + "\u{10FFFF}")] }
        }
        if let from = query.updatedFrom {
            conditions.append("r.last_updated >= ?")
            bindings.append(.integer(from.storeMilliseconds))
        }
        if let before = query.updatedBefore {
            conditions.append("r.last_updated < ?")
            bindings.append(.integer(before.storeMilliseconds))
        }
        switch query.scope {
        case .everything: break
        case .owner(let owner):
            conditions.append("r.owner = ?")
            bindings.append(.text(owner))
        case .episodes(let episodes):
            // episode_member is keyed (reference, episode_id): each candidate looks up its own reference.
            conditions.append(
                """
                EXISTS (SELECT 1 FROM episode_member m WHERE m.reference = r.type || '/' || r.id
                    AND m.episode_id IN (SELECT value FROM json_each(?)))
                """
            )
            bindings.append(.text(Self.jsonArray(episodes)))
        }
        let filter = conditions.joined(separator: " AND ")
        let total = try self.query("SELECT count(*) FROM resource r WHERE \(filter)", bindings).first?.int(0) ?? 0
        guard query.count > 0 else { return SearchPage(resources: [], total: total, next: nil) }
        let newest = query.order == .newestFirst
        var pageConditions = filter
        var pageBindings = bindings
        if let after = query.after {
            let relation = newest ? "<" : ">"
            pageConditions += " AND (r.last_updated \(relation) ? OR (r.last_updated = ? AND r.id \(relation) ?))"
            pageBindings += [.integer(after.lastUpdated), .integer(after.lastUpdated), .text(after.id)]
        }
        pageBindings.append(.integer(Int64(query.count + 1)))
        let direction = newest ? "DESC" : "ASC"
        // The page walks `resource_by_update` in its order and stops, unless ids or tokens find fewer than
        // `Self.fewMatches` resources: those are found by key and sorted (`+` keeps the planner, which has
        // no statistics here, from walking the whole type in order looking for them).
        let keyed = query.ids != nil || !query.tokens.isEmpty || !query.prefixes.isEmpty
        let selective = keyed && total < Self.fewMatches
        let rows = try self.query(
            """
            SELECT r.id, r.version, r.last_updated, r.owner, v.content FROM resource r
                JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
            WHERE \(pageConditions)
            ORDER BY \(selective ? "+" : "")r.last_updated \(direction), r.id \(direction) LIMIT ?
            """,
            pageBindings
        )
        let resources = rows.prefix(query.count).map { row in
            StoredResource(
                type: query.type,
                id: row.text(0) ?? "",
                version: row.int(1),
                owner: row.text(3) ?? "",
                lastUpdated: Date(storeMilliseconds: row.integer(2) ?? 0),
                content: row.blob(4)
            )
        }
        let next =
            rows.count > query.count
            ? resources.last.map { ResourceQuery.Cursor(lastUpdated: $0.lastUpdated.storeMilliseconds, id: $0.id) }
            : nil
        return SearchPage(resources: resources, total: total, next: next)
    }

    /// Below this many matches, a search by ids or tokens sorts what they find rather than walking the
    /// type in update order.
    static let fewMatches = 1_000

    /// One page of the audit trail, with the total.
    mutating func auditEvents(_ query: AuditQuery) throws(StoreError) -> AuditPage {
        var conditions = ["1 = 1"]
        var bindings: [SQLiteValue] = []
        if let from = query.from {
            conditions.append("a.at >= ?")
            bindings.append(.integer(from.storeMilliseconds))
        }
        if let before = query.before {
            conditions.append("a.at < ?")
            bindings.append(.integer(before.storeMilliseconds))
        }
        if let agents = query.agents {
            conditions.append("a.sender IN (SELECT value FROM json_each(?))")
            bindings.append(.text(Self.jsonArray(agents)))
        }
        if let entities = query.entities {
            conditions.append(
                """
                EXISTS (SELECT 1 FROM json_each(?) e WHERE a.resource_ref = e.value OR a.patient_ref = e.value
                    OR a.resource_ref LIKE e.value || '/_history/%')
                """
            )
            bindings.append(.text(Self.jsonArray(entities)))
        }
        if let deliveries = query.deliveries {
            conditions.append(deliveries ? "a.action LIKE 'delivery%'" : "a.action NOT LIKE 'delivery%'")
        }
        if let outcomes = query.outcomes {
            conditions.append("a.outcome IN (SELECT value FROM json_each(?))")
            bindings.append(.text(Self.jsonArray(outcomes)))
        }
        let filter = conditions.joined(separator: " AND ")
        let total = try self.query("SELECT count(*) FROM audit a WHERE \(filter)", bindings).first?.int(0) ?? 0
        var pageFilter = filter
        if let after = query.after {
            pageFilter += query.newestFirst ? " AND a.id < ?" : " AND a.id > ?"
            bindings.append(.integer(after))
        }
        bindings.append(.integer(Int64(query.count)))
        let entries = try self.query(
            """
            SELECT a.at, a.action, a.outcome, a.sender, a.resource_ref, a.message_id, a.correlation_id, a.detail,
                a.id, a.agent_role, a.patient_ref, a.source_address
            FROM audit a WHERE \(pageFilter) ORDER BY a.id \(query.newestFirst ? "DESC" : "ASC") LIMIT ?
            """,
            bindings
        ).map(Self.auditEntry)
        return AuditPage(entries: entries, total: total)
    }

    /// The parties of the live episodes the partner (or one of its subscriptions) was routed.
    mutating func episodeParties(routedTo partner: String) throws(StoreError) -> [EpisodeParties] {
        try self.query(
            """
            SELECT e.id, e.state FROM episode e
            WHERE e.status != 'retired' AND e.id IN (
                SELECT o.episode_id FROM outbox o
                WHERE o.partner = ?1 OR o.partner IN (SELECT s.id FROM subscription s WHERE s.owner = ?1))
            """,
            [.text(partner)]
        ).compactMap { row in try? EpisodeJSON.decode(EpisodeParties.self, from: row.blob(1)) }
    }

    /// An audit row of (at, action, outcome, sender, resource_ref, message_id, correlation_id, detail, id,
    /// agent_role, patient_ref, source_address).
    static func auditEntry(_ row: SQLiteRow) -> AuditEntry {
        AuditEntry(
            id: row.integer(8),
            at: Date(storeMilliseconds: row.integer(0) ?? 0),
            action: row.text(1) ?? "",
            outcome: AuditEntry.Outcome(rawValue: row.text(2) ?? "") ?? .seriousFailure,
            sender: row.text(3),
            resourceReference: row.text(4),
            messageID: row.integer(5),
            correlationID: row.text(6),
            detail: row.text(7),
            role: row.text(9),
            patient: row.text(10),
            source: row.text(11)
        )
    }

    /// Strings as a JSON array, for `json_each`: one statement whatever the number of values.
    ///
    /// Written out by hand: the release build of Swift 6.3.1 crashes (SILCombine, deserialising
    /// `memcpy` for `Data`) on `String(decoding:as:)` of `JSONEncoder`'s `Data` in this module.
    static func jsonArray(_ values: [String]) -> String {
        var json = "["
        for (index, value) in values.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }
}
