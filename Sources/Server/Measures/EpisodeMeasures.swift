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

    /// How many episodes one page of ``samples(_:)`` reads.
    static let pageSize = 500

    /// The rows of `query` over the stored episodes of its service line (or all).
    public func rows(_ query: MeasureQuery) async throws(StoreError) -> [MeasureRow] {
        MeasureTable.rows(of: try await self.samples(query), partners: self.audiences, query: query)
    }

    /// The rows of `query` and, of the episodes it selects for its partner (every one without), those with
    /// overdue activities or reports: one pass over the facts.
    func overview(
        _ query: MeasureQuery
    ) async throws(StoreError) -> (rows: [MeasureRow], overdue: [EpisodeMeasureFacts]) {
        var overdue: [EpisodeMeasureFacts] = []
        let samples = try await self.samples(query) { record, sample in
            let facts = record.facts
            guard facts.overdue.activities + facts.overdue.reports > 0,
                query.partner.map(sample.partners.contains) ?? true
            else { return }
            overdue.append(record)
        }
        return (MeasureTable.rows(of: samples, partners: self.audiences, query: query), overdue)
    }

    /// What each stored episode `query` selects contributes, read page by page in id order from the facts
    /// the store keeps beside each episode: only one page is held at a time, whatever the size of the store.
    /// `each` sees every selected episode's facts with its sample.
    func samples(
        _ query: MeasureQuery,
        each: (EpisodeMeasureFacts, MeasureSample) -> Void = { _, _ in }
    ) async throws(StoreError) -> [MeasureSample] {
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
                guard MeasureTable.selects(query, sample) else { continue }
                samples.append(sample)
                each(record, sample)
            }
            guard page.count == Self.pageSize, let last = page.last else { return samples }
            after = last.episodeID
        }
    }

    /// The `limit` most recently changed episodes of `query`'s service line (or all) that count for its
    /// partner (every one without).
    func recentEpisodes(_ query: MeasureQuery, limit: Int) async throws(StoreError) -> [Episode] {
        let records = try await self.store.episodes(EpisodeQuery(serviceLine: query.serviceLine, limit: limit))
        let decoder = JSONDecoder()
        return records.compactMap { try? decoder.decode(Episode.self, from: Data($0.document)) }
            .filter { self.covers($0, partner: query.partner) }
    }

    /// The configured partners' ids, in name order.
    var partners: [String] { self.audiences.map(\.id).sorted() }

    /// Whether `episode` counts for `partner` (every episode when nil), as the rows count it.
    func covers(_ episode: Episode, partner: String?) -> Bool {
        guard let partner else { return true }
        return self.audiences.contains { $0.id == partner && $0.covers(episode) }
    }
}
