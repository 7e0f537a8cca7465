public import CoManagement
import Foundation

extension SQLiteStore {
    public func search(_ query: ResourceQuery) async throws(StoreError) -> SearchPage {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.search(query)
        }
    }

    public func auditEvents(_ query: AuditQuery) async throws(StoreError) -> AuditPage {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.auditEvents(query)
        }
    }

    public func episodeParties(routedTo partner: String) async throws(StoreError) -> [EpisodeParties] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.episodeParties(routedTo: partner)
        }
    }
}
