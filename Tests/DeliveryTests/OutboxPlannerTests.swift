import CoManagement
import Foundation
import Store
import Testing

@testable import Delivery

/// The planning `tandem serve` hands the store: DeliveryPlanner's deliveries as outbox rows with their
/// bodies rendered once, and consent refusals as audit entries.
@Suite struct OutboxPlannerTests {
    static let episode = Episode(
        id: "ep-1",
        patient: PatientSummary(key: "urn:mrn|1"),
        serviceLine: "ophthalmology.cataract"
    )
    static let events = [
        TimelineEvent(
            number: 4,
            kind: .referralCreated,
            at: nil,
            summary: "s",
            source: "ServiceRequest/sr-1/_history/1"
        ),
        TimelineEvent(number: 5, kind: .referralAccepted, at: nil, summary: "s", source: "Task/t-1/_history/1"),
    ]
    static let partner = Partner(
        id: "eyecare",
        endpoint: URL(string: "http://127.0.0.1:1/notify")!,
        serviceLines: ["ophthalmology.cataract"]
    )

    static let input = OutboxPlanningInput(
        change: Ingestion.EpisodeChange(episodeID: "ep-1", events: Self.events, episode: Self.episode),
        plannedAt: Date(timeIntervalSince1970: 1_770_000_000),
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    )

    static func plan(_ planning: OutboxPlanner) -> OutboxPlan {
        planning.plan(Self.input)
    }

    @Test func plansOneRowPerEventAndRendersOnceNumbered() throws {
        let builder = NotificationBuilder(baseURL: "http://tandem.test/fhir")
        let planning = OutboxPlanner(partners: [Self.partner], consentDefaultPermit: true, builder: builder)
        let plan = Self.plan(planning)
        #expect(plan.audits.isEmpty)
        #expect(plan.deliveries.map(\.event.number) == [4, 5])
        #expect(plan.deliveries.allSatisfy { $0.traceparent == Self.input.traceparent })
        #expect(
            plan.deliveries.map(\.id)
                == Self.events.map {
                    DeliveryID.make(partnerID: "eyecare", episodeID: "ep-1", timelineEvent: $0.number)
                }
        )
        // The store numbers the delivery from the subscription's sequence, then has it rendered: the body
        // carries the number, and rendering again gives the same bytes.
        var delivery = try #require(plan.deliveries.first)
        delivery.eventNumber = 41
        let body = planning.render(delivery, input: Self.input)
        #expect(body == planning.render(delivery, input: Self.input))
        #expect(String(decoding: body, as: UTF8.self).contains(#""valueString":"41""#))
        #expect(planning.configuredSubscriptions == ["eyecare"])
    }

    @Test func consentRefusalsAreAuditedNotPlanned() {
        let builder = NotificationBuilder(baseURL: "http://tandem.test/fhir")
        let planning = OutboxPlanner(partners: [Self.partner], consentDefaultPermit: false, builder: builder)
        let plan = Self.plan(planning)
        #expect(plan.deliveries.isEmpty)
        #expect(plan.audits.count == 2)
        #expect(plan.audits.allSatisfy { $0.action == "delivery-refused" && $0.resourceReference == "Episode/ep-1" })
        #expect(plan.audits.first?.detail?.contains("partner eyecare, timeline event 4") == true)
    }
}
