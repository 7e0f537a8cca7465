public import Foundation

extension SQLiteStore {
    public func signingKeys(fromSlot slot: Int64) async throws(StoreError) -> [SigningKeyRecord] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.signingKeys(fromSlot: slot)
        }
    }

    public func addSigningKey(_ key: SigningKeyRecord) async throws(StoreError) -> SigningKeyRecord {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.addSigningKey(key)
        }
    }

    public func recordAssertion(
        client: String,
        jti: String,
        expiresAt: Date,
        now: Date
    ) async throws(StoreError) -> Bool {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.recordAssertion(client: client, jti: jti, expiresAt: expiresAt, now: now)
        }
    }

    /// One write for all of `entries`: it joins the writer's next group, so the audit records of many
    /// requests share one commit with whatever else is being written.
    public func record(_ entries: [AuditEntry]) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            for entry in entries { try connection.insertAudit(entry) }
        }
    }
}
