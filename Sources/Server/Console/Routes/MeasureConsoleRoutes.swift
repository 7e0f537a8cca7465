import CoManagement
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Store

/// The console's measures page: charts over the stored episodes, or one partner's.
struct MeasureConsoleRoutes: Sendable {
    let store: any OutboxStore
    let partners: [String]

    /// The most episodes one page reads.
    static let maximumEpisodes = 10_000

    func register(on gated: RouterGroup<GatewayRequestContext>) {
        gated.get("measures", use: self.page)
    }

    @Sendable func page(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let partner = request.uri.queryParameters.get("partner").flatMap { $0.isEmpty ? nil : String($0) }
        let records = try await self.store.episodes(EpisodeQuery(partner: partner, limit: Self.maximumEpisodes))
        let episodes = records.compactMap { try? EpisodeConsoleRoutes.decode($0) }
        context.access.note(entity: "measures")
        context.access.note(detail: "\(episodes.count) episodes")
        return ConsoleResponse.page(
            MeasuresPage.render(
                chrome: try context.chrome(.measures),
                episodes: episodes,
                partners: self.partners,
                partner: partner
            )
        )
    }
}
