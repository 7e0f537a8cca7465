import Foundation

extension SQLiteConnection {
    /// Per subscription: rows outstanding, the oldest due, rows dead. Two walks over the partial indexes of
    /// outstanding rows (`outbox_head`) and dead ones (`outbox_dead`), never over delivered rows.
    mutating func outboxStatistics(now: Int64) throws(StoreError) -> [OutboxStatistics] {
        var statistics: [String: OutboxStatistics] = [:]
        func entry(_ subscription: String, _ owner: String?) -> OutboxStatistics {
            statistics[subscription]
                ?? OutboxStatistics(
                    subscription: subscription,
                    partner: owner ?? subscription,
                    depth: 0,
                    oldestDue: nil,
                    dead: 0
                )
        }
        for row in try self.query(
            """
            SELECT o.partner, s.owner, count(*), min(CASE WHEN o.state = 'pending' AND o.next_attempt_at <= ?
                THEN o.next_attempt_at END)
            FROM outbox o LEFT JOIN subscription s ON s.id = o.partner
            WHERE o.state IN ('pending', 'leased') AND o.delivery_id IS NOT NULL GROUP BY o.partner
            """,
            [.integer(now)]
        ) {
            var value = entry(row.text(0) ?? "", row.text(1))
            value.depth = row.int(2)
            value.oldestDue = row.integer(3).map { Date(storeMilliseconds: $0) }
            statistics[value.subscription] = value
        }
        for row in try self.query(
            """
            SELECT o.partner, s.owner, count(*) FROM outbox o LEFT JOIN subscription s ON s.id = o.partner
            WHERE o.state = 'dead' GROUP BY o.partner
            """
        ) {
            var value = entry(row.text(0) ?? "", row.text(1))
            value.dead = row.int(2)
            statistics[value.subscription] = value
        }
        return statistics.keys.sorted().map { statistics[$0]! }
    }
}
