public import CoManagement
import Foundation
public import Store

/// Reads the episodes measures are computed over and turns them into rows (``CoManagement/MeasureTable``).
public struct EpisodeMeasures: Sendable {
    let store: any Store
    let audiences: [MeasureAudience]

    /// Measures over `store`'s episodes, cut by `audiences` (every configured partner).
    public init(store: any Store, audiences: [MeasureAudience]) {
        self.store = store
        self.audiences = audiences
    }

    /// The most episodes one computation reads.
    public static let maximumEpisodes = 1_000_000

    /// The rows of `query` over the stored episodes of its service line (or all).
    public func rows(_ query: MeasureQuery) async throws(StoreError) -> [MeasureRow] {
        let records = try await self.store.episodes(
            EpisodeQuery(serviceLine: query.serviceLine, limit: Self.maximumEpisodes)
        )
        let decoder = JSONDecoder()
        let episodes = records.compactMap { try? decoder.decode(Episode.self, from: Data($0.document)) }
        return MeasureTable.rows(of: episodes, partners: self.audiences, query: query)
    }
}
