public import Foundation

extension PostgresStore {
    public func signingKeys(fromSlot slot: Int64) async throws(StoreError) -> [SigningKeyRecord] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.signingKeys(fromSlot: slot)
        }
    }

    public func addSigningKey(_ key: SigningKeyRecord) async throws(StoreError) -> SigningKeyRecord {
        try await self.withSession { (session) throws(StoreError) in
            try await session.addSigningKey(key)
        }
    }

    public func recordAssertion(
        client: String,
        jti: String,
        expiresAt: Date,
        now: Date
    ) async throws(StoreError) -> Bool {
        try await self.withSession { (session) throws(StoreError) in
            try await session.recordAssertion(client: client, jti: jti, expiresAt: expiresAt, now: now)
        }
    }

    /// All of `entries` in one transaction.
    public func record(_ entries: [AuditEntry]) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        try await self.withTransaction { (session) throws(StoreError) in
            for entry in entries { try await session.insertAudit(entry) }
        }
    }
}
