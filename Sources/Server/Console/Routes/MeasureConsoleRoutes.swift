import CoManagement
import Hummingbird
import Store

/// The console's measures page, for every partner or one: the rows `GET /measures` answers and the episodes
/// with overdue items, over every episode's measure facts; charts over the most recently changed episodes.
struct MeasureConsoleRoutes: Sendable {
    let measures: EpisodeMeasures

    /// How many of the most recently changed episodes the charts draw.
    static let chartEpisodes = 2_000

    func register(on gated: RouterGroup<GatewayRequestContext>) {
        gated.get("measures", use: self.page)
    }

    @Sendable func page(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let partner = parameters.get("partner").flatMap { $0.isEmpty ? nil : String($0) }
        let serviceLine = parameters.get("serviceLine").flatMap { $0.isEmpty ? nil : String($0) }
        let query = MeasureQuery(serviceLine: serviceLine, partner: partner)
        let (rows, overdue) = try await self.measures.overview(query)
        let charted = try await self.measures.recentEpisodes(query, limit: Self.chartEpisodes)
        context.access.note(entity: "measures")
        context.access.note(detail: "\(rows.count) rows, \(charted.count) episodes charted")
        return ConsoleResponse.page(
            MeasuresPage.render(
                chrome: try context.chrome(.measures),
                charted: charted,
                chartLimit: Self.chartEpisodes,
                rows: rows,
                overdue: overdue,
                partners: self.measures.partners,
                partner: partner
            )
        )
    }
}
