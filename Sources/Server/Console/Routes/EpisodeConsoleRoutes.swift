import CoManagement
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Store

/// The console's episode pages: search, and one episode with who was told of each event and when.
struct EpisodeConsoleRoutes: Sendable {
    let store: any OutboxStore

    /// The most episodes a search shows.
    static let limit = 200
    /// The most delivered rows whose accepted attempt is looked up for one episode page.
    static let maximumDeliveries = 500

    func register(on gated: RouterGroup<GatewayRequestContext>) {
        gated.get("episodes", use: self.list)
        gated.get("episodes/:id", use: self.show)
    }

    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let search = EpisodeListPage.Search(
            patient: (parameters.get("patient") ?? "").trimmingCharacters(in: .whitespaces),
            serviceLine: (parameters.get("serviceLine") ?? "").trimmingCharacters(in: .whitespaces),
            status: parameters.get("status") ?? ""
        )
        // An identifier with its system is the episode's patient key; a bare value matches any system.
        let exact = search.patient.contains("|")
        let records = try await self.store.episodes(
            EpisodeQuery(
                patientKey: exact && !search.patient.isEmpty ? search.patient : nil,
                serviceLine: search.serviceLine.isEmpty ? nil : search.serviceLine,
                status: search.status.isEmpty ? nil : search.status,
                limit: exact || search.patient.isEmpty ? Self.limit : 10 * Self.limit
            )
        )
        let matching = records.filter { record in
            exact || search.patient.isEmpty || record.patientKey.hasSuffix("|\(search.patient)")
        }
        let episodes = Array(matching.prefix(Self.limit)).compactMap { try? Self.decode($0) }
        context.access.note(entity: "episodes", patient: search.patient.isEmpty ? nil : search.patient)
        context.access.note(detail: "\(episodes.count) episodes")
        let serviceLines = Set(episodes.map(\.serviceLine)).sorted()
        return ConsoleResponse.page(
            EpisodeListPage.render(
                chrome: try context.chrome(.episodes),
                search: search,
                episodes: episodes,
                serviceLines: serviceLines
            )
        )
    }

    @Sendable func show(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let record = try await self.store.episode(id: id) else { throw ConsoleError.notFound("Episode '\(id)'") }
        let episode = try Self.decode(record)
        context.access.note(entity: "episodes/\(record.id)", patient: record.patientKey)
        let records = try await self.store.deliveries(DeliveryQuery(episode: record.id, limit: Self.maximumDeliveries))
        var told: [EpisodePage.Told] = []
        for delivery in records {
            var deliveredAt: Date?
            if delivery.state == .delivered, let detail = try await self.store.delivery(.row(delivery.row)) {
                deliveredAt = detail.attempts.last { ($0.status ?? 0) / 100 == 2 }?.startedAt
            }
            told.append(EpisodePage.Told(record: delivery, deliveredAt: deliveredAt))
        }
        return ConsoleResponse.page(
            EpisodePage.render(chrome: try context.chrome(.episodes), episode: episode, told: told)
        )
    }

    static func decode(_ record: EpisodeRecord) throws -> Episode {
        do {
            return try JSONDecoder().decode(Episode.self, from: Data(record.document))
        } catch {
            throw ConsoleError(.internalServerError, "Episode '\(record.id)' could not be read from the store.")
        }
    }
}
