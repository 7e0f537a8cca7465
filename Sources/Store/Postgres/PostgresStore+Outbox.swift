public import Foundation
import PostgresNIO

extension PostgresStore {
    /// Leases the heads of due streams in one statement (see ``PostgresSession/claimOutbox(limit:now:leaseMilliseconds:)``);
    /// heads only, whatever `run` asks (see ``OutboxStore``).
    public func claimOutbox(
        limit: Int,
        run: Int,
        now: Date,
        lease: Duration
    ) async throws(StoreError) -> [ClaimedOutboxRow] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.claimOutbox(
                limit: limit,
                now: now.storeMilliseconds,
                leaseMilliseconds: lease.storeMilliseconds
            )
        }
    }

    /// Gives back unattempted claimed rows, each guarded by its lease token (see ``OutboxStore``).
    public func releaseOutbox(_ leases: [OutboxLease]) async throws(StoreError) {
        guard !leases.isEmpty else { return }
        try await self.withTransaction { (session) throws(StoreError) in
            for lease in leases {
                try await session.query(
                    """
                    UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL
                    WHERE id = \(lease.id) AND state = 'leased' AND lease_owner = \(lease.token)
                    """
                )
            }
        }
    }

    /// Records the outcome of a claimed row in one transaction that first locks the row and checks the
    /// lease token (see ``OutboxStore``).
    @discardableResult
    public func completeOutbox(
        id: Int64,
        leaseToken token: String,
        attempt: OutboxAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        try await self.withTransaction { (session) throws(StoreError) -> Bool in
            let owned = try await session.query(
                """
                SELECT delivery_id, partner FROM outbox WHERE id = \(id) AND state = 'leased' AND lease_owner = \(token)
                FOR UPDATE
                """
            )
            guard let row = owned.first else { return false }
            let (deliveryID, partner) = try row.columns((String, String).self)
            if let attempt {
                try await session.query(
                    """
                    INSERT INTO delivery_attempt (outbox_id, delivery_id, partner, number, started_at, status, error,
                        duration_ms, http_version, excerpt)
                    VALUES (\(id), \(deliveryID), \(partner), \(Int64(attempt.number)),
                        \(attempt.startedAt.storeMilliseconds), \(attempt.status.map(Int64.init)), \(attempt.error),
                        \(attempt.durationMilliseconds), \(attempt.httpVersion), \(attempt.excerpt.bytea))
                    """
                )
            }
            switch resolution {
            case .delivered:
                try await session.query(
                    "UPDATE outbox SET state = 'delivered', lease_owner = NULL, lease_until = NULL WHERE id = \(id)"
                )
            case .retry(let at):
                try await session.query(
                    """
                    UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = \(at.storeMilliseconds),
                        lease_owner = NULL, lease_until = NULL, last_error = \(attempt.map(OutboxAttempt.describe))
                    WHERE id = \(id)
                    """
                )
            case .deadLetter(let reason):
                try await session.query(
                    """
                    UPDATE outbox SET state = 'dead', lease_owner = NULL, lease_until = NULL, last_error = \(reason)
                    WHERE id = \(id)
                    """
                )
            }
            if let audit { try await session.insertAudit(audit) }
            return true
        }
    }
}

extension OutboxAttempt {
    /// The attempt in a few words, for the outbox row's `last_error`.
    static func describe(_ attempt: OutboxAttempt) -> String {
        if let status = attempt.status { return "HTTP \(status)" }
        return attempt.error ?? "no response"
    }
}
