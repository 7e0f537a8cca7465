public import Foundation

extension SQLiteStore {
    public func openConsoleSession(_ session: ConsoleSessionRecord, now: Date) async throws(StoreError) {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.openConsoleSession(session, now: now)
        }
    }

    public func consoleSession(tokenHash: String, now: Date) async throws(StoreError) -> ConsoleSessionRecord? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.consoleSession(tokenHash: tokenHash, now: now)
        }
    }

    public func closeConsoleSession(tokenHash: String) async throws(StoreError) {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.closeConsoleSession(tokenHash: tokenHash)
        }
    }

    public func messageTrail(limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.auditTrail(limit: limit, where: AuditEntry.messageCondition)
        }
    }

    public func message(id: Int64) async throws(StoreError) -> MessageRecord? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.message(id: id)
        }
    }

    public func outboxByPartner() async throws(StoreError) -> [PartnerOutbox] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.outboxByPartner()
        }
    }

    public func recentAttempts(limit: Int) async throws(StoreError) -> [RecordedAttempt] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.recentAttempts(limit: limit)
        }
    }
}
