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

    static func plan(_ planning: OutboxPlanner, lastEventNumbers: [String: Int] = [:]) -> OutboxPlan {
        planning.plan(
            OutboxPlanningInput(
                change: Ingestion.EpisodeChange(episodeID: "ep-1", events: Self.events, episode: Self.episode),
                lastEventNumbers: lastEventNumbers,
                plannedAt: Date(timeIntervalSince1970: 1_770_000_000)
            )
        )
    }

    @Test func plansOneRowPerEventNumberedAfterTheOutbox() {
        let builder = NotificationBuilder(baseURL: "http://tandem.test/fhir")
        let planning = OutboxPlanner(partners: [Self.partner], consentDefaultPermit: true, builder: builder)
        let plan = Self.plan(planning, lastEventNumbers: ["eyecare": 2])
        #expect(plan.audits.isEmpty)
        #expect(plan.deliveries.map(\.eventNumber) == [3, 4])
        #expect(plan.deliveries.map(\.event.number) == [4, 5])
        #expect(
            plan.deliveries.map(\.id)
                == Self.events.map {
                    DeliveryID.make(partnerID: "eyecare", episodeID: "ep-1", timelineEvent: $0.number)
                }
        )
        // Rendered once, deterministically: planning again gives the same bytes.
        #expect(
            plan.deliveries.map(\.body) == Self.plan(planning, lastEventNumbers: ["eyecare": 2]).deliveries.map(\.body)
        )
        #expect(plan.deliveries.allSatisfy { !$0.body.isEmpty })
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
