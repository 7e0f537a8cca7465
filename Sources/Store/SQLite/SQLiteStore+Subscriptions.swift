public import Foundation

extension SQLiteStore {
    public func subscriptions(owner: String?) async throws(StoreError) -> [SubscriptionRecord] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.subscriptions(owner: owner)
        }
    }

    public func subscription(id: String) async throws(StoreError) -> SubscriptionRecord? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.subscription(id: id)
        }
    }

    public func saveSubscription(
        _ record: SubscriptionRecord,
        ifMatch: Int?,
        audit: AuditEntry
    ) async throws(StoreError) -> SubscriptionRecord {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.saveSubscription(record, ifMatch: ifMatch, audit: audit)
        }
    }

    public func deleteSubscription(id: String, owner: String, audit: AuditEntry) async throws(StoreError) -> Bool {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.deleteSubscription(id: id, owner: owner, audit: audit)
        }
    }

    public func subscriptionEventCount(id: String) async throws(StoreError) -> Int {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.subscriptionEventCount(id: id)
        }
    }

    public func subscriptionEvents(
        id: String,
        from: Int,
        through: Int,
        limit: Int
    ) async throws(StoreError) -> [SubscribedEvent] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.subscriptionEvents(id: id, from: from, through: through, limit: limit)
        }
    }

    public func claimSubscriptionChecks(now: Date, lease: Duration) async throws(StoreError) -> [SubscriptionRecord] {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.claimSubscriptionChecks(
                now: now.storeMilliseconds,
                leaseMilliseconds: lease.storeMilliseconds
            )
        }
    }

    @discardableResult
    public func recordSubscriptionCheck(
        id: String,
        version: Int,
        status: String,
        error: String?,
        nextCheck: Date?,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.recordSubscriptionCheck(
                id: id,
                version: version,
                status: status,
                error: error,
                nextCheck: nextCheck?.storeMilliseconds,
                audit: audit
            )
        }
    }
}
