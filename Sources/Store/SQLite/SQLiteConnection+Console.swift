import Foundation

/// The console's sessions, messages and outbox summaries (``ConsoleStore``) on SQLite.
extension SQLiteConnection {
    mutating func openConsoleSession(_ session: ConsoleSessionRecord, now: Date) throws(StoreError) {
        try self.query("DELETE FROM console_session WHERE expires_at < ?", [.integer(now.storeMilliseconds)])
        try self.query(
            """
            INSERT INTO console_session (token_hash, operator_name, csrf_token, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?)
            """,
            [
                .text(session.tokenHash), .text(session.operatorName), .text(session.csrfToken),
                .integer(session.createdAt.storeMilliseconds), .integer(session.expiresAt.storeMilliseconds),
            ]
        )
    }

    mutating func consoleSession(tokenHash: String, now: Date) throws(StoreError) -> ConsoleSessionRecord? {
        try self.query(
            """
            SELECT token_hash, operator_name, csrf_token, created_at, expires_at FROM console_session
            WHERE token_hash = ? AND expires_at >= ?
            """,
            [.text(tokenHash), .integer(now.storeMilliseconds)]
        ).first.map { row in
            ConsoleSessionRecord(
                tokenHash: row.text(0) ?? "",
                operatorName: row.text(1) ?? "",
                csrfToken: row.text(2) ?? "",
                createdAt: Date(storeMilliseconds: row.integer(3) ?? 0),
                expiresAt: Date(storeMilliseconds: row.integer(4) ?? 0)
            )
        }
    }

    mutating func closeConsoleSession(tokenHash: String) throws(StoreError) {
        try self.query("DELETE FROM console_session WHERE token_hash = ?", [.text(tokenHash)])
    }

    mutating func message(id: Int64) throws(StoreError) -> MessageRecord? {
        try self.query(
            "SELECT received_at, sender, content_type, correlation_id, interaction, body FROM message WHERE id = ?",
            [.integer(id)]
        ).first.map { row in
            MessageRecord(
                id: id,
                message: ReceivedMessage(
                    body: row.blob(5),
                    contentType: row.text(2) ?? "",
                    sender: row.text(1) ?? "",
                    correlationID: row.text(3) ?? "",
                    receivedAt: Date(storeMilliseconds: row.integer(0) ?? 0),
                    interaction: row.text(4) ?? ""
                )
            )
        }
    }

    /// Two reads, each over a partial index (`outbox_stream` for waiting rows, `outbox_dead`), so the
    /// delivered history is never scanned.
    mutating func outboxByPartner() throws(StoreError) -> [PartnerOutbox] {
        let waiting = try self.query(
            """
            SELECT partner, count(*), min(next_attempt_at), min(created_at) FROM outbox
            WHERE state IN ('pending', 'leased') GROUP BY partner
            """
        ).map { row in
            (
                partner: row.text(0) ?? "", count: row.int(1),
                nextDue: row.integer(2).map { Date(storeMilliseconds: $0) },
                oldest: row.integer(3).map { Date(storeMilliseconds: $0) }
            )
        }
        let dead = try self.query("SELECT partner, count(*) FROM outbox WHERE state = 'dead' GROUP BY partner").map {
            row in (partner: row.text(0) ?? "", count: row.int(1))
        }
        return PartnerOutbox.merge(waiting: waiting, dead: dead)
    }

    mutating func recentAttempts(limit: Int) throws(StoreError) -> [RecordedAttempt] {
        try self.query(
            """
            SELECT partner, outbox_id, delivery_id, number, started_at, status, error, duration_ms, http_version,
                excerpt
            FROM delivery_attempt ORDER BY id DESC LIMIT ?
            """,
            [.integer(Int64(max(0, limit)))]
        ).map { row in
            RecordedAttempt(
                partner: row.text(0) ?? "",
                row: row.integer(1) ?? 0,
                deliveryID: row.text(2) ?? "",
                attempt: Self.attempt(row, from: 3)
            )
        }
    }

    /// An attempt from the columns `number, started_at, status, error, duration_ms, http_version, excerpt`
    /// of `delivery_attempt`, starting at `column`.
    static func attempt(_ row: SQLiteRow, from column: Int) -> DeliveryAttempt {
        DeliveryAttempt(
            number: row.int(column),
            startedAt: Date(storeMilliseconds: row.integer(column + 1) ?? 0),
            status: row.integer(column + 2).map { Int($0) },
            error: row.text(column + 3),
            duration: .milliseconds(row.integer(column + 4) ?? 0),
            httpVersion: row.text(column + 5),
            excerpt: row.blob(column + 6)
        )
    }
}
