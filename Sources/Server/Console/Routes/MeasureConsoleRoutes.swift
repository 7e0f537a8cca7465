import CoManagement
import Hummingbird
import Store

/// The console's measures page: the rows `GET /measures` answers and charts over the same episodes, for
/// every partner or one.
struct MeasureConsoleRoutes: Sendable {
    let measures: EpisodeMeasures

    func register(on gated: RouterGroup<GatewayRequestContext>) {
        gated.get("measures", use: self.page)
    }

    @Sendable func page(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let partner = parameters.get("partner").flatMap { $0.isEmpty ? nil : String($0) }
        let serviceLine = parameters.get("serviceLine").flatMap { $0.isEmpty ? nil : String($0) }
        let query = MeasureQuery(serviceLine: serviceLine, partner: partner)
        let all = try await self.measures.episodes(query)
        let rows = MeasureTable.rows(of: all, partners: self.measures.audiences, query: query)
        let episodes = all.filter { self.measures.covers($0, partner: partner) }
        context.access.note(entity: "measures")
        context.access.note(detail: "\(rows.count) rows over \(episodes.count) episodes")
        return ConsoleResponse.page(
            MeasuresPage.render(
                chrome: try context.chrome(.measures),
                episodes: episodes,
                rows: rows,
                partners: self.measures.partners,
                partner: partner
            )
        )
    }
}
