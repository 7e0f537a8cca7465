import CoManagement
import Foundation
import Store
import Testing

@testable import Delivery

@Suite struct DeliveryPlannerTests {
    typealias F = Fixtures

    let change = Ingestion.EpisodeChange(
        episodeID: F.episode().id,
        events: [F.event(3, .referralCreated), F.event(4, .carePlanCreated), F.event(5, .reportReturned)],
        episode: F.episode()
    )

    func plan(
        _ partners: [Partner],
        change: Ingestion.EpisodeChange? = nil,
        defaultPermit: Bool = true,
        at: Date? = nil
    ) -> DeliveryPlan {
        DeliveryPlanner.plan(
            change: change ?? self.change,
            partners: partners,
            consentDefaultPermit: defaultPermit,
            plannedAt: at
        )
    }

    @Test func participantMatchedByIdentifierTokenHearsEveryEvent() {
        let plan = self.plan([F.partner("surgeons", represents: ["http://hl7.org/fhir/sid/us-npi|1111111111"])])
        #expect(plan.deliveries.map(\.event.number) == [3, 4, 5])
        // Numbered by the store, from the subscription's sequence.
        #expect(plan.deliveries.map(\.eventNumber) == [0, 0, 0])
        #expect(plan.deliveries.allSatisfy { $0.partnerID == "surgeons" && $0.episodeID == "ep-1" })
        #expect(plan.refusals.isEmpty)
    }

    @Test func participantMatchedByReferenceOrKey() {
        #expect(self.plan([F.partner("a", represents: ["Practitioner/surgeon-1"])]).deliveries.count == 3)
        #expect(self.plan([F.partner("b", represents: ["Organization/eyecare-1"])]).deliveries.count == 3)
    }

    @Test func nonParticipantHearsNothing() {
        let plan = self.plan([F.partner("stranger", represents: ["Organization/elsewhere", "x|y"])])
        #expect(plan.deliveries.isEmpty)
        #expect(plan.refusals.isEmpty)
    }

    @Test func serviceLinePartnerHearsWithoutParticipating() {
        let plan = self.plan([
            F.partner("line", serviceLines: ["ophthalmology.cataract"]),
            F.partner("other-line", serviceLines: ["cardiology.heart-failure"]),
        ])
        #expect(plan.deliveries.map(\.partnerID) == ["line", "line", "line"])
    }

    @Test func onlySubscribedTopicsAreDelivered() {
        let plan = self.plan(
            [F.partner("reports", represents: ["Organization/eyecare-1"], topics: ["referral", "report"])]
        )
        #expect(plan.deliveries.map(\.event.kind) == [.referralCreated, .reportReturned])
    }

    @Test func theAllTopicHearsEveryEvent() {
        let plan = self.plan([F.partner("all", represents: ["Organization/eyecare-1"], topics: ["all"])])
        #expect(plan.deliveries.count == 3)
    }

    @Test func aFilterNarrowsAndNeverWidens() {
        var filter = EpisodeFilter()
        #expect(filter.add(criterion: "service-line=cardiology.heart-failure") == nil)
        var elsewhere = F.partner("line", serviceLines: ["ophthalmology.cataract"])
        elsewhere.filter = filter
        #expect(self.plan([elsewhere]).deliveries.isEmpty)
        var same = EpisodeFilter()
        #expect(same.add(criterion: "Episode?episode=\(F.episode().id)") == nil)
        var here = F.partner("line", serviceLines: ["ophthalmology.cataract"])
        here.filter = same
        #expect(self.plan([here]).deliveries.count == 3)
        // A filter naming the episode does not make a partner that is not addressed hear of it.
        var stranger = F.partner("stranger", represents: ["Organization/elsewhere"])
        stranger.filter = same
        #expect(self.plan([stranger]).deliveries.isEmpty)
    }

    @Test func anEndedSubscriptionHearsNothing() {
        var ended = F.partner("line", serviceLines: ["ophthalmology.cataract"])
        ended.end = Date(timeIntervalSince1970: 1_000)
        #expect(self.plan([ended], at: Date(timeIntervalSince1970: 2_000)).deliveries.isEmpty)
        #expect(self.plan([ended], at: Date(timeIntervalSince1970: 500)).deliveries.count == 3)
    }

    @Test func emptyTopicsHearNothing() {
        #expect(self.plan([F.partner("mute", represents: ["Organization/eyecare-1"], topics: [])]).deliveries.isEmpty)
    }

    @Test func consentDenyingTheActorRefusesAndAudits() {
        var consent = ConsentState()
        consent.decision = .permit
        consent.deniedParties = ["Organization/eyecare-1"]
        consent.sources = ["Consent/c-1"]
        let change = Ingestion.EpisodeChange(
            episodeID: F.episode().id,
            events: self.change.events,
            episode: F.episode(consent: consent)
        )
        let plan = self.plan(
            [
                F.partner("optometry", represents: ["Organization/eyecare-1"]),
                F.partner("surgeons", represents: ["Practitioner/surgeon-1"]),
            ],
            change: change
        )
        #expect(plan.deliveries.map(\.partnerID) == ["surgeons", "surgeons", "surgeons"])
        #expect(plan.refusals.count == 3)
        let refusal = plan.refusals[0]
        #expect(refusal.partnerID == "optometry")
        #expect(refusal.timelineEventNumber == 3)
        #expect(refusal.partyKeys == ["Organization/eyecare-1"])
        #expect(refusal.consent == .permit)
        #expect(refusal.consentSources == ["Consent/c-1"])
        #expect(refusal.reason.contains("Organization/eyecare-1"))
    }

    @Test func noConsentFollowsTheConfiguredDefault() {
        let partner = F.partner("surgeons", represents: ["Practitioner/surgeon-1"])
        #expect(self.plan([partner], defaultPermit: true).deliveries.count == 3)
        let denied = self.plan([partner], defaultPermit: false)
        #expect(denied.deliveries.isEmpty)
        #expect(denied.refusals.count == 3)
        #expect(denied.refusals[0].consent == .noConsent)
        #expect(denied.refusals[0].reason.contains("default"))
    }

    @Test func denyingConsentPermitsOnlyListedParties() {
        var consent = ConsentState()
        consent.decision = .deny
        consent.permittedParties = ["http://hl7.org/fhir/sid/us-npi|1111111111"]
        let change = Ingestion.EpisodeChange(
            episodeID: F.episode().id,
            events: [F.event(1, .episodeOpened)],
            episode: F.episode(consent: consent)
        )
        let plan = self.plan(
            [
                F.partner("surgeons", represents: ["Practitioner/surgeon-1"]),  // matched participant's key permitted
                F.partner("optometry", represents: ["Organization/eyecare-1"]),
            ],
            change: change
        )
        #expect(plan.deliveries.map(\.partnerID) == ["surgeons"])
        #expect(plan.refusals.map(\.partnerID) == ["optometry"])
    }

    @Test func deliveryIDsAreStableAndDistinct() {
        let partners = [
            F.partner("a", represents: ["Practitioner/surgeon-1"]),
            F.partner("b", represents: ["Practitioner/surgeon-1"]),
        ]
        let first = self.plan(partners).deliveries.map(\.id)
        #expect(first == self.plan(partners).deliveries.map(\.id))
        #expect(Set(first).count == 6)
        let id = first[0]
        #expect(id.count == 36)
        #expect(Array(id)[14] == "8")
        #expect(id == DeliveryID.make(partnerID: "a", episodeID: "ep-1", timelineEvent: 3))
    }

    @Test func deliveryIDsAreTheVersion8UUIDOfTheirSHA256() {
        // Reference value, in Python: the first 16 bytes of
        // sha256(b"tandem-delivery\x00eyecare\x00ep-1\x003"), version and variant bits set, as a UUID.
        #expect(
            DeliveryID.make(partnerID: "eyecare", episodeID: "ep-1", timelineEvent: 3)
                == "08745cda-410d-83b5-9aa3-c3024d0d890b"
        )
    }

    @Test func recheckSeesConsentRevokedAfterPlanning() {
        let partner = F.partner("optometry", represents: ["Organization/eyecare-1"])
        #expect(
            DeliveryPlanner.recheckConsent(
                partner: partner,
                parties: F.parties(),
                timelineEventNumber: 3,
                consentDefaultPermit: true
            ) == nil
        )
        var consent = ConsentState()
        consent.deniedParties = ["Organization/eyecare-1"]
        let refusal = DeliveryPlanner.recheckConsent(
            partner: partner,
            parties: F.parties(consent: consent),
            timelineEventNumber: 3,
            consentDefaultPermit: true
        )
        #expect(refusal?.partnerID == "optometry")
        #expect(refusal?.timelineEventNumber == 3)
    }
}
