import Foundation
import NIOCore
import PostgresNIO

/// The console's sessions, messages and outbox summaries (``ConsoleStore``) on PostgreSQL, shared by every
/// replica on the database.
extension PostgresSession {
    func openConsoleSession(_ session: ConsoleSessionRecord, now: Date) async throws(StoreError) {
        try await self.query("DELETE FROM console_session WHERE expires_at < \(now.storeMilliseconds)")
        try await self.query(
            """
            INSERT INTO console_session (token_hash, operator_name, csrf_token, created_at, expires_at)
            VALUES (\(session.tokenHash), \(session.operatorName), \(session.csrfToken),
                \(session.createdAt.storeMilliseconds), \(session.expiresAt.storeMilliseconds))
            """
        )
    }

    func consoleSession(tokenHash: String, now: Date) async throws(StoreError) -> ConsoleSessionRecord? {
        guard
            let row = try await self.query(
                """
                SELECT operator_name, csrf_token, created_at, expires_at FROM console_session
                WHERE token_hash = \(tokenHash) AND expires_at >= \(now.storeMilliseconds)
                """
            ).first
        else { return nil }
        let (name, csrf, createdAt, expiresAt) = try row.columns((String, String, Int64, Int64).self)
        return ConsoleSessionRecord(
            tokenHash: tokenHash,
            operatorName: name,
            csrfToken: csrf,
            createdAt: Date(storeMilliseconds: createdAt),
            expiresAt: Date(storeMilliseconds: expiresAt)
        )
    }

    func closeConsoleSession(tokenHash: String) async throws(StoreError) {
        try await self.query("DELETE FROM console_session WHERE token_hash = \(tokenHash)")
    }

    func message(id: Int64) async throws(StoreError) -> MessageRecord? {
        guard
            let row = try await self.query(
                """
                SELECT received_at, sender, content_type, correlation_id, interaction, body FROM message
                WHERE id = \(id)
                """
            ).first
        else { return nil }
        let (receivedAt, sender, contentType, correlationID, interaction, body) = try row.columns(
            (Int64, String, String, String, String, ByteBuffer?).self
        )
        return MessageRecord(
            id: id,
            message: ReceivedMessage(
                body: [UInt8](bytea: body),
                contentType: contentType,
                sender: sender,
                correlationID: correlationID,
                receivedAt: Date(storeMilliseconds: receivedAt),
                interaction: interaction
            )
        )
    }

    func outboxByPartner() async throws(StoreError) -> [PartnerOutbox] {
        var waiting: [(partner: String, count: Int, nextDue: Date?, oldest: Date?)] = []
        for row in try await self.query(
            """
            SELECT partner, count(*), min(next_attempt_at), min(created_at) FROM outbox
            WHERE state IN ('pending', 'leased') GROUP BY partner
            """
        ) {
            let (partner, count, nextDue, oldest) = try row.columns((String, Int64, Int64?, Int64?).self)
            waiting.append(
                (
                    partner, Int(count), nextDue.map { Date(storeMilliseconds: $0) },
                    oldest.map { Date(storeMilliseconds: $0) }
                )
            )
        }
        var dead: [(partner: String, count: Int)] = []
        for row in try await self.query("SELECT partner, count(*) FROM outbox WHERE state = 'dead' GROUP BY partner") {
            let (partner, count) = try row.columns((String, Int64).self)
            dead.append((partner, Int(count)))
        }
        return PartnerOutbox.merge(waiting: waiting, dead: dead)
    }

    func recentAttempts(limit: Int) async throws(StoreError) -> [RecordedAttempt] {
        var attempts: [RecordedAttempt] = []
        for row in try await self.query(
            """
            SELECT partner, outbox_id, delivery_id, number, started_at, status, error, duration_ms, http_version,
                excerpt
            FROM delivery_attempt ORDER BY id DESC LIMIT \(Int64(max(0, limit)))
            """
        ) {
            let (partner, outboxID, deliveryID, number, startedAt, status, error, duration, httpVersion, excerpt) =
                try row.columns(
                    (String, Int64, String, Int64, Int64, Int64?, String?, Int64, String?, ByteBuffer?).self
                )
            attempts.append(
                RecordedAttempt(
                    partner: partner,
                    row: outboxID,
                    deliveryID: deliveryID,
                    attempt: Self.attempt((number, startedAt, status, error, duration, httpVersion, excerpt))
                )
            )
        }
        return attempts
    }

    /// An attempt from the columns `number, started_at, status, error, duration_ms, http_version, excerpt`
    /// of `delivery_attempt`.
    static func attempt(
        _ columns: (Int64, Int64, Int64?, String?, Int64, String?, ByteBuffer?)
    ) -> DeliveryAttempt {
        let (number, startedAt, status, error, duration, httpVersion, excerpt) = columns
        return DeliveryAttempt(
            number: Int(number),
            startedAt: Date(storeMilliseconds: startedAt),
            status: status.map { Int($0) },
            error: error,
            duration: .milliseconds(duration),
            httpVersion: httpVersion,
            excerpt: [UInt8](bytea: excerpt)
        )
    }
}
