import FHIRCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Store

/// The console's message pages: recent messages from the audit trail, one message as received (audited
/// as a read of it), and the unmatched referrals with the re-normalise action.
struct MessageConsoleRoutes: Sendable {
    let store: any OutboxStore

    /// Audit records of messages read: one per write of an accepted message, one per refusal.
    static let trailLimit = 2000
    static let shown = 100
    /// Partitions re-normalised per store call; the action repeats until none is left (or ``maximumRounds``).
    static let renormaliseBatch = 100
    static let maximumRounds = 50

    func register(on gated: RouterGroup<GatewayRequestContext>) {
        gated.get("messages", use: self.list)
        gated.get("messages/:id", use: self.show)
        gated.post("unmatched/renormalise", use: self.renormalise)
    }

    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let trail = try await self.store.messageTrail(limit: Self.trailLimit)
        let messages = Array(MessageLog.entries(from: trail).prefix(Self.shown))
        let unmatched = try await self.store.unmatchedReferrals(limit: Self.shown)
        context.access.note(entity: "messages")
        context.access.note(detail: "\(messages.count) messages, \(unmatched.count) unmatched referrals")
        let notice: String? =
            request.uri.queryParameters.get("renormalised").flatMap(Int.init).map {
                "Re-normalised the unmatched referrals of \($0) \($0 == 1 ? "partition" : "partitions")."
            }
        return ConsoleResponse.page(
            MessageListPage.render(
                chrome: try context.chrome(.messages),
                messages: messages,
                unmatched: unmatched,
                notice: notice
            )
        )
    }

    @Sendable func show(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), let record = try await self.store.message(id: id) else {
            throw ConsoleError.notFound("Message '\(text)'")
        }
        let outcome: Outcome
        do {
            outcome = try FHIRCodec.readAndValidate(record.message.body).outcome
        } catch {
            outcome = error
        }
        context.access.note(action: "message-read")
        context.access.note(entity: "message/\(id)")
        context.access.note(detail: "the raw message of \(record.message.sender)")
        return ConsoleResponse.page(
            MessagePage.render(chrome: try context.chrome(.messages), record: record, outcome: outcome)
        )
    }

    @Sendable func renormalise(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var partitions = 0
        for _ in 0..<Self.maximumRounds {
            let done = try await self.store.renormaliseUnmatched(limit: Self.renormaliseBatch)
            partitions += done
            if done == 0 { break }
        }
        context.access.note(action: "renormalise")
        context.access.note(entity: "unmatched")
        context.access.note(detail: "re-normalised \(partitions) partitions")
        return ConsoleResponse.redirect("/console/messages?renormalised=\(partitions)")
    }
}
