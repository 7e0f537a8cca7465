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

    /// How many episodes one page of ``samples(_:)`` reads.
    static let pageSize = 500

    /// The rows of `query` over the stored episodes of its service line (or all).
    public func rows(_ query: MeasureQuery) async throws(StoreError) -> [MeasureRow] {
        MeasureTable.rows(of: try await self.samples(query), partners: self.audiences, query: query)
    }

    /// What each stored episode `query` selects contributes, read page by page in id order from the facts
    /// the store keeps beside each episode: only one page is held at a time, whatever the size of the store.
    func samples(_ query: MeasureQuery) async throws(StoreError) -> [MeasureSample] {
        var samples: [MeasureSample] = []
        var after = ""
        while true {
            let page = try await self.store.measureFacts(
                serviceLine: query.serviceLine,
                afterID: after,
                limit: Self.pageSize
            )
            for record in page {
                let sample = MeasureSample(record.facts, audiences: self.audiences)
                if MeasureTable.selects(query, sample) { samples.append(sample) }
            }
            guard page.count == Self.pageSize, let last = page.last else { return samples }
            after = last.episodeID
        }
    }

    /// The stored episodes of `query`'s service line (or all), as the rows are computed over them.
    func episodes(_ query: MeasureQuery) async throws(StoreError) -> [Episode] {
        let records = try await self.store.episodes(
            EpisodeQuery(serviceLine: query.serviceLine, limit: Self.maximumEpisodes)
        )
        let decoder = JSONDecoder()
        return records.compactMap { try? decoder.decode(Episode.self, from: Data($0.document)) }
    }

    /// The configured partners' ids, in name order.
    var partners: [String] { self.audiences.map(\.id).sorted() }

    /// Whether `episode` counts for `partner` (every episode when nil), as the rows count it.
    func covers(_ episode: Episode, partner: String?) -> Bool {
        guard let partner else { return true }
        return self.audiences.contains { $0.id == partner && $0.covers(episode) }
    }
}
