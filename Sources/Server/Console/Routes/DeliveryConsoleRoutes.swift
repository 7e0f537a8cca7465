import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Store

/// The console's deliveries page and its two changes: retry one dead or failed delivery, requeue a
/// partner's dead letters. Both are the store's ``DeliveryAdministration`` operations `tandem deliveries
/// retry` and `requeue-dead` call, so they behave, refuse and audit alike (the actor names the operator).
struct DeliveryConsoleRoutes: Sendable {
    let store: any OutboxStore

    static let recent = 50
    static let dead = 200
    static let attempts = 30

    func register(on gated: RouterGroup<GatewayRequestContext>) {
        gated.get("deliveries", use: self.page)
        gated.post("deliveries/:row/retry", use: self.retry)
        gated.post("deliveries/requeue", use: self.requeue)
    }

    @Sendable func page(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let content = DeliveriesPage.Content(
            outboxes: try await self.store.outboxByPartner(),
            recent: try await self.store.deliveries(DeliveryQuery(limit: Self.recent)),
            dead: try await self.store.deliveries(DeliveryQuery(state: .dead, limit: Self.dead)),
            attempts: try await self.store.recentAttempts(limit: Self.attempts)
        )
        context.access.note(entity: "deliveries")
        let parameters = request.uri.queryParameters
        let notice: String? =
            switch parameters.get("done") {
            case "retried": "Delivery \(parameters.get("row") ?? "") is due again now."
            case "requeued":
                "Requeued \(parameters.get("count") ?? "0") dead deliveries of \(parameters.get("partner") ?? "")."
            default: nil
            }
        return ConsoleResponse.page(
            DeliveriesPage.render(chrome: try context.chrome(.deliveries), content: content, notice: notice)
        )
    }

    @Sendable func retry(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let text = context.parameters.get("row") ?? ""
        guard let row = Int64(text), row > 0 else { throw ConsoleError.notFound("Delivery '\(text)'") }
        context.access.note(action: "retry")
        context.access.note(entity: "outbox/\(row)")
        let record: DeliveryRecord
        do {
            record = try await self.store.retry(.row(row), by: context.consoleActor, now: Date())
        } catch {
            throw Self.refusal(error, row: row)
        }
        return ConsoleResponse.redirect("/console/deliveries?done=retried&row=\(record.row)")
    }

    /// The store's refusals of a retry, as the CLI words them: no such row, or a row in the wrong state.
    static func refusal(_ error: StoreError, row: Int64) -> any Error {
        switch error.code {
        case .notFound: ConsoleError.notFound("Delivery \(row)")
        case .invalidRequest: ConsoleError(.conflict, error.message)
        default: error
        }
    }

    @Sendable func requeue(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var request = request
        let form = ConsoleForm(String(buffer: try await request.collectBody(upTo: ConsoleForm.maximumBytes)))
        guard let partner = form["partner"], !partner.isEmpty else {
            throw ConsoleError(.badRequest, "Choose the partner whose dead deliveries to requeue.")
        }
        context.access.note(action: "requeue")
        context.access.note(entity: "outbox/\(partner)")
        let records = try await self.store.requeueDead(partner: partner, by: context.consoleActor, now: Date())
        return ConsoleResponse.redirect(
            "/console/deliveries?done=requeued&count=\(records.count)&partner=\(HTML.percentEncoded(partner))"
        )
    }
}
