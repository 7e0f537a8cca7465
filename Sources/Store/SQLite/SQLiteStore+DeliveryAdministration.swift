public import Foundation

/// ``DeliveryAdministration`` on the embedded store: reads on the read connections, changes through the
/// writer (so they queue behind, and commit beside, a running gateway's writes when both share the file).
extension SQLiteStore {
    public func deliveries(_ query: DeliveryQuery) async throws(StoreError) -> [DeliveryRecord] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.deliveries(query)
        }
    }

    public func delivery(_ key: DeliveryKey) async throws(StoreError) -> DeliveryDetail? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.delivery(key)
        }
    }

    public func retry(_ key: DeliveryKey, by actor: String, now: Date) async throws(StoreError) -> DeliveryRecord {
        let at = now.storeMilliseconds
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.retry(key, by: actor, now: at)
        }
    }

    public func requeueDead(
        partner: String?,
        by actor: String,
        now: Date
    ) async throws(StoreError) -> [DeliveryRecord] {
        let at = now.storeMilliseconds
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.requeueDead(partner: partner, by: actor, now: at)
        }
    }

    public func redeliver(
        _ request: Redelivery,
        by actor: String,
        now: Date
    ) async throws(StoreError) -> [DeliveryRecord] {
        let at = now.storeMilliseconds
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.redeliver(request, by: actor, now: at)
        }
    }
}
