import Foundation
import PostgresNIO

/// The signing keys and the client-assertion replay cache (``AuthorizationStore``) on PostgreSQL, shared
/// by every replica on the database.
extension PostgresSession {
    func signingKeys(fromSlot slot: Int64) async throws(StoreError) -> [SigningKeyRecord] {
        var keys: [SigningKeyRecord] = []
        for row in try await self.query(
            """
            SELECT slot, kid, algorithm, private_key, created_at FROM signing_key WHERE slot >= \(slot)
            ORDER BY slot
            """
        ) {
            let (slot, kid, algorithm, privateKey, createdAt) = try row.columns(
                (Int64, String, String, String, Int64).self
            )
            keys.append(
                SigningKeyRecord(
                    slot: slot,
                    kid: kid,
                    algorithm: algorithm,
                    privateKey: privateKey,
                    createdAt: Date(storeMilliseconds: createdAt)
                )
            )
        }
        return keys
    }

    /// Inserts the key unless its slot has one (the unique slot settles a race between replicas), then
    /// reads the slot's key back.
    func addSigningKey(_ key: SigningKeyRecord) async throws(StoreError) -> SigningKeyRecord {
        try await self.query(
            """
            INSERT INTO signing_key (slot, kid, algorithm, private_key, created_at)
            VALUES (\(key.slot), \(key.kid), \(key.algorithm), \(key.privateKey), \(key.createdAt.storeMilliseconds))
            ON CONFLICT (slot) DO NOTHING
            """
        )
        guard let stored = try await self.signingKeys(fromSlot: key.slot).first, stored.slot == key.slot else {
            throw StoreError(.corrupt, "the signing key of slot \(key.slot) was not stored")
        }
        return stored
    }

    /// Inserts the assertion's `jti`; false when the client had used it (the primary key settles a race
    /// between replicas). Expired ones are dropped first.
    func recordAssertion(client: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool {
        try await self.query("DELETE FROM client_assertion WHERE expires_at < \(now.storeMilliseconds)")
        let inserted = try await self.query(
            """
            INSERT INTO client_assertion (client_id, jti, expires_at)
            VALUES (\(client), \(jti), \(expiresAt.storeMilliseconds))
            ON CONFLICT (client_id, jti) DO NOTHING RETURNING 1
            """
        )
        return !inserted.isEmpty
    }
}
