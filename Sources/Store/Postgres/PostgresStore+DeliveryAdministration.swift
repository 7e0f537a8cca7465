public import Foundation

/// ``DeliveryAdministration`` on the shared store: reads on a pooled connection, each change in one
/// transaction with its audit entries (see ``PostgresSession``'s administration queries for the locking).
extension PostgresStore {
    public func deliveries(_ query: DeliveryQuery) async throws(StoreError) -> [DeliveryRecord] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.deliveries(query)
        }
    }

    public func delivery(_ key: DeliveryKey) async throws(StoreError) -> DeliveryDetail? {
        try await self.withTransaction { (session) throws(StoreError) in
            // One snapshot for the row, its body and its attempts, as SQLite's read transaction gives.
            try await session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try await session.delivery(key)
        }
    }

    public func retry(_ key: DeliveryKey, by actor: String, now: Date) async throws(StoreError) -> DeliveryRecord {
        let at = now.storeMilliseconds
        return try await self.withTransaction { (session) throws(StoreError) in
            try await session.retry(key, by: actor, now: at)
        }
    }

    public func requeueDead(
        partner: String?,
        by actor: String,
        now: Date
    ) async throws(StoreError) -> [DeliveryRecord] {
        let at = now.storeMilliseconds
        return try await self.withTransaction { (session) throws(StoreError) in
            try await session.requeueDead(partner: partner, by: actor, now: at)
        }
    }

    public func redeliver(
        _ request: Redelivery,
        by actor: String,
        now: Date
    ) async throws(StoreError) -> [DeliveryRecord] {
        let at = now.storeMilliseconds
        return try await self.withTransaction { (session) throws(StoreError) in
            try await session.redeliver(request, by: actor, now: at)
        }
    }
}
