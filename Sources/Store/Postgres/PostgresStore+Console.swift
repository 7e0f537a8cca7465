public import Foundation

extension PostgresStore {
    public func openConsoleSession(_ session: ConsoleSessionRecord, now: Date) async throws(StoreError) {
        try await self.withSession { (connection) throws(StoreError) in
            try await connection.openConsoleSession(session, now: now)
        }
    }

    public func consoleSession(tokenHash: String, now: Date) async throws(StoreError) -> ConsoleSessionRecord? {
        try await self.withSession { (session) throws(StoreError) in
            try await session.consoleSession(tokenHash: tokenHash, now: now)
        }
    }

    public func closeConsoleSession(tokenHash: String) async throws(StoreError) {
        try await self.withSession { (session) throws(StoreError) in
            try await session.closeConsoleSession(tokenHash: tokenHash)
        }
    }

    public func messageTrail(limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.auditTrail(limit: limit, where: AuditEntry.messageCondition)
        }
    }

    public func message(id: Int64) async throws(StoreError) -> MessageRecord? {
        try await self.withSession { (session) throws(StoreError) in
            try await session.message(id: id)
        }
    }

    public func outboxByPartner() async throws(StoreError) -> [PartnerOutbox] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.outboxByPartner()
        }
    }

    public func recentAttempts(limit: Int) async throws(StoreError) -> [RecordedAttempt] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.recentAttempts(limit: limit)
        }
    }
}
