public import Foundation

extension PostgresStore {
    public func subscriptions(owner: String?) async throws(StoreError) -> [SubscriptionRecord] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.subscriptions(owner: owner)
        }
    }

    public func subscription(id: String) async throws(StoreError) -> SubscriptionRecord? {
        try await self.withSession { (session) throws(StoreError) in
            try await session.subscription(id: id)
        }
    }

    public func saveSubscription(
        _ record: SubscriptionRecord,
        ifMatch: Int?,
        audit: AuditEntry
    ) async throws(StoreError) -> SubscriptionRecord {
        try await self.withTransaction { (session) throws(StoreError) in
            try await session.saveSubscription(record, ifMatch: ifMatch, audit: audit)
        }
    }

    public func deleteSubscription(id: String, owner: String, audit: AuditEntry) async throws(StoreError) -> Bool {
        try await self.withTransaction { (session) throws(StoreError) in
            try await session.deleteSubscription(id: id, owner: owner, audit: audit)
        }
    }

    public func subscriptionEventCount(id: String) async throws(StoreError) -> Int {
        try await self.withSession { (session) throws(StoreError) in
            try await session.subscriptionEventCount(id: id)
        }
    }

    public func subscriptionEvents(
        id: String,
        from: Int,
        through: Int,
        limit: Int
    ) async throws(StoreError) -> [SubscribedEvent] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.subscriptionEvents(id: id, from: from, through: through, limit: limit)
        }
    }

    public func claimSubscriptionChecks(now: Date, lease: Duration) async throws(StoreError) -> [SubscriptionRecord] {
        let (now, lease) = (now.storeMilliseconds, lease.storeMilliseconds)
        return try await self.withSession { (session) throws(StoreError) in
            try await session.claimSubscriptionChecks(now: now, leaseMilliseconds: lease)
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
        let next = nextCheck?.storeMilliseconds
        return try await self.withTransaction { (session) throws(StoreError) in
            try await session.recordSubscriptionCheck(
                id: id,
                version: version,
                status: status,
                error: error,
                nextCheck: next,
                audit: audit
            )
        }
    }
}
