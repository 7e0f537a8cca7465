import ArgumentParser
import CoManagement
import Delivery
import Foundation
import Store

/// `tandem redeliver`: re-sends events a partner already received, for a partner that lost them.
///
/// Each delivered event becomes a new outbox row with the stored body and the same event number but a
/// new delivery id, and the request carries `X-Tandem-Redelivery-Of` with the original id. Why a new id:
/// a partner honouring the delivery id (DESIGN.md §5, "exactly once for a partner that honours the
/// delivery id") would drop a repeat of the old one, and the redelivery would do nothing; a redelivery is
/// deliberate, so it is a new delivery of the same event, and says so (`tandem sink` prints it as a
/// REDELIVERY, not as a duplicate or a late arrival).
struct RedeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeliver",
        abstract: "Re-send events a partner already received (new delivery ids, same event numbers and bodies).",
        discussion: """
            Works on the store the configuration names, as `tandem deliveries` does; the running gateway's \
            forwarder sends the new rows after anything still pending for the same episode. Only delivered \
            events are re-sent (dead ones: `tandem deliveries requeue-dead`). Every redelivery is audited.
            """
    )

    @Option(name: .long, help: "The gateway's configuration file (JSON).")
    var config: String?

    @Option(name: .long, help: "The partner to re-send to.")
    var partner: String

    @Option(name: .long, help: "Only this episode's events.")
    var episode: String?

    @Option(name: .long, help: "Only events planned at or after this FHIR instant (e.g. 2026-03-01T00:00:00Z).")
    var since: String?

    func validate() throws {
        if let since, FHIRInstant(since) == nil {
            throw ValidationError("--since '\(since)' is not a FHIR dateTime such as 2026-03-01T00:00:00Z")
        }
    }

    func run() async throws {
        let request = Redelivery(
            partner: self.partner,
            episode: self.episode,
            since: self.since.flatMap(FHIRInstant.init).map { Date(timeIntervalSince1970: $0.secondsSinceEpoch) }
        )
        let actor = AdministeredStore.actor("redeliver")
        let records = try await AdministeredStore.with(config: self.config) { store, settings in
            // The forwarder dead-letters rows of a partner it does not know; say so now instead.
            guard settings.partners.contains(where: { $0.id == request.partner }) else {
                throw ValidationError("partner '\(request.partner)' is not in the configuration")
            }
            return try await store.redeliver(request, by: actor, now: Date())
        }
        print("queued \(records.count) \(records.count == 1 ? "redelivery" : "redeliveries") for \(self.partner)")
        for record in records { print(DeliveryText.line(record)) }
    }
}
