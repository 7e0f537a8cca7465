public import CoManagement
public import Foundation

extension PostgresStore {
    public func search(_ query: ResourceQuery) async throws(StoreError) -> SearchPage {
        try await self.withSession { (session) throws(StoreError) in
            try await session.search(query)
        }
    }

    public func auditEvents(_ query: AuditQuery) async throws(StoreError) -> AuditPage {
        try await self.withSession { (session) throws(StoreError) in
            try await session.auditEvents(query)
        }
    }

    public func episodeParties(routedTo partner: String) async throws(StoreError) -> [EpisodeParties] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.episodeParties(routedTo: partner)
        }
    }

    public func outboxStatistics(now: Date) async throws(StoreError) -> [OutboxStatistics] {
        let milliseconds = now.storeMilliseconds
        return try await self.withSession { (session) throws(StoreError) in
            try await session.outboxStatistics(now: milliseconds)
        }
    }
}
