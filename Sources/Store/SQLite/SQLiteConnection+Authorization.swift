import Foundation

/// The signing keys and the client-assertion replay cache (``AuthorizationStore``) on SQLite.
extension SQLiteConnection {
    mutating func signingKeys(fromSlot slot: Int64) throws(StoreError) -> [SigningKeyRecord] {
        try self.query(
            "SELECT slot, kid, algorithm, private_key, created_at FROM signing_key WHERE slot >= ? ORDER BY slot",
            [.integer(slot)]
        ).map { row in
            SigningKeyRecord(
                slot: row.integer(0) ?? 0,
                kid: row.text(1) ?? "",
                algorithm: row.text(2) ?? "",
                privateKey: row.text(3) ?? "",
                createdAt: Date(storeMilliseconds: row.integer(4) ?? 0)
            )
        }
    }

    /// Inserts the key unless its slot has one, then reads the slot's key back.
    mutating func addSigningKey(_ key: SigningKeyRecord) throws(StoreError) -> SigningKeyRecord {
        try self.query(
            """
            INSERT INTO signing_key (slot, kid, algorithm, private_key, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (slot) DO NOTHING
            """,
            [
                .integer(key.slot), .text(key.kid), .text(key.algorithm), .text(key.privateKey),
                .integer(key.createdAt.storeMilliseconds),
            ]
        )
        guard let stored = try self.signingKeys(fromSlot: key.slot).first, stored.slot == key.slot else {
            throw StoreError(.corrupt, "the signing key of slot \(key.slot) was not stored")
        }
        return stored
    }

    /// Inserts the assertion's `jti`; false when the client had used it. Expired ones are dropped first.
    mutating func recordAssertion(client: String, jti: String, expiresAt: Date, now: Date) throws(StoreError) -> Bool {
        try self.query("DELETE FROM client_assertion WHERE expires_at < ?", [.integer(now.storeMilliseconds)])
        let inserted = try self.query(
            """
            INSERT INTO client_assertion (client_id, jti, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (client_id, jti) DO NOTHING RETURNING 1
            """,
            [.text(client), .text(jti), .integer(expiresAt.storeMilliseconds)]
        )
        return !inserted.isEmpty
    }
}
