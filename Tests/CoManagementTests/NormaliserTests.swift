import CoManagement
import FHIRCore
import Foundation
import Testing

@Suite struct NormaliserTests {
    let normaliser: Normaliser

    init() throws {
        self.normaliser = Normaliser(mappings: try MappingFixtures.shipped())
    }

    /// Ingests each resource in turn and returns the book and the last ingestion.
    func book(_ resources: [Element], sender: String? = nil) -> (EpisodeBook, Ingestion?) {
        var book = EpisodeBook()
        var last: Ingestion?
        for resource in resources { last = self.normaliser.ingest(resource, sender: sender, into: &book) }
        return (book, last)
    }

    func kinds(_ ingestion: Ingestion?) -> [EventKind] {
        ingestion?.changes.flatMap(\.events).map(\.kind) ?? []
    }

    @Test func serviceRequestOpensEpisodeThenCompletes() throws {
        var (book, created) = self.book(CataractScenario.parties + [CataractScenario.referral()])
        #expect(self.kinds(created) == [.episodeOpened, .referralCreated, .participantAdded, .participantAdded])
        let episode = try #require(book.sortedEpisodes.first)
        #expect(episode.serviceLine == "ophthalmology.cataract")
        #expect(episode.status == .referred)
        #expect(episode.patient.key == CataractScenario.mrn && episode.patient.name == "Ada Okafor")
        #expect(episode.participants.map(\.role) == ["surgeon", "optometrist"])
        #expect(episode.participants.map(\.key) == [CataractScenario.surgeonNPI, CataractScenario.optometristNPI])
        #expect(episode.participants.last?.phases == ["post-operative"])
        #expect(episode.id.hasPrefix("ep-") && episode.id.count == 19)

        let completed = self.normaliser.ingest(
            CataractScenario.referral(status: "completed", lastUpdated: "2026-04-20T12:00:00Z"),
            sender: nil,
            into: &book
        )
        #expect(self.kinds(completed) == [.referralCompleted, .statusChanged])
        let after = try #require(book.episodes[episode.id])
        #expect(after.status == .completed)
        #expect(after.timeline.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(after.measures.referralTurnaroundHours == 1203)
        #expect(completed.changes.first?.events.first?.source == "ServiceRequest/sr-1")
    }

    @Test func taskBusinessStatusAcceptedThroughConceptMap() throws {
        let ack = CataractScenario.task(
            id: "t-1",
            businessStatus: ("http://lakeside-eye.example.org/fhir/CodeSystem/referral-state", "ACK"),
            at: "2026-03-02T15:00:00Z"
        )
        let (book, accepted) = self.book(CataractScenario.parties + [CataractScenario.referral(), ack])
        #expect(self.kinds(accepted) == [.referralAccepted, .statusChanged])
        let episode = try #require(book.sortedEpisodes.first)
        #expect(episode.status == .accepted)
        #expect(episode.referrals.first?.lifecycle.acceptedAt == "2026-03-02T15:00:00Z")
        #expect(episode.referrals.first?.lifecycle.businessStatus == "accepted")
        #expect(episode.measures.hoursToAcknowledgement == 30)
        #expect(accepted?.changes.first?.events.first?.source == "Task/t-1")
    }

    @Test func taskBusinessStatusDeclinedDeclinesEpisode() throws {
        let declined = CataractScenario.task(
            id: "t-2",
            businessStatus: ("http://hospital.example.org/fhir/CodeSystem/referral-workflow", "declined-by-performer"),
            at: "2026-03-02T10:00:00Z"
        )
        let (book, ingestion) = self.book(CataractScenario.parties + [CataractScenario.referral(), declined])
        #expect(self.kinds(ingestion) == [.referralDeclined, .statusChanged])
        #expect(book.sortedEpisodes.first?.status == .declined)
        #expect(book.sortedEpisodes.first?.referrals.first?.lifecycle.declinedAt == "2026-03-02T10:00:00Z")
    }

    @Test func careTeamPeriodsMakeAHandoffThatATaskAcknowledges() throws {
        var (book, handedOff) = self.book(
            CataractScenario.parties + [CataractScenario.referral(), CataractScenario.careTeam]
        )
        #expect(self.kinds(handedOff) == [.participantChanged, .participantChanged, .handoff, .statusChanged])
        var episode = try #require(book.sortedEpisodes.first)
        let handoff = try #require(episode.handoffs.first)
        #expect(handoff.phase == "post-operative" && handoff.effective == "2026-03-10")
        #expect(handoff.from == CataractScenario.surgeonNPI && handoff.to == CataractScenario.optometristNPI)
        #expect(episode.status == .handedOff)
        #expect(episode.reports.first?.kind == "post-operative-report")
        #expect(episode.reports.first?.dueBy == "2026-04-09")

        let ack = self.normaliser.ingest(
            CataractScenario.task(id: "t-3", businessStatus: nil, status: "accepted", at: "2026-03-11T08:00:00Z"),
            sender: nil,
            into: &book
        )
        #expect(self.kinds(ack) == [.referralAccepted, .handoffAcknowledged])
        episode = try #require(book.sortedEpisodes.first)
        #expect(episode.handoffs.first?.acknowledgements.first?.source == "Task/t-3")

        let report = self.normaliser.ingest(CataractScenario.postOpReport, sender: nil, into: &book)
        #expect(self.kinds(report) == [.reportReturned])
        #expect(book.sortedEpisodes.first?.reports.first?.returnedAt == "2026-04-02T10:00:00Z")
    }

    @Test func carePlanActivityFallsOverdueAgainstGivenTime() throws {
        var (book, planned) = self.book(
            CataractScenario.parties + [CataractScenario.referral(), CataractScenario.carePlan()]
        )
        #expect(self.kinds(planned) == [.carePlanCreated, .statusChanged])
        let early = self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-03-19T00:00:00Z")), book: &book)
        // Nobody answered the referral within the cataract line's 48 hours; the activity is not due yet.
        #expect(self.kinds(early) == [.referralUnanswered])
        let late = self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-03-25T00:00:00Z")), book: &book)
        #expect(self.kinds(late) == [.activityOverdue])
        let episode = try #require(book.sortedEpisodes.first)
        #expect(episode.measures.overdueActivities == 1)
        #expect(episode.measures.evaluatedAt == "2026-03-25T00:00:00Z")
        #expect(late.changes.first?.events.first?.source == "CarePlan/cp-1")
        let again = self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-03-26T00:00:00Z")), book: &book)
        #expect(self.kinds(again).isEmpty)
        let done = self.normaliser.ingest(
            CataractScenario.carePlan(activityStatus: "completed"),
            sender: nil,
            into: &book
        )
        #expect(self.kinds(done) == [.activityChanged])
        #expect(book.sortedEpisodes.first?.measures.overdueActivities == 0)
    }

    @Test func reportFallsOverdueAfterItsDueDays() throws {
        var (book, _) = self.book(CataractScenario.parties + [CataractScenario.referral(), CataractScenario.careTeam])
        let late = self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-04-10T00:00:00Z")), book: &book)
        #expect(self.kinds(late) == [.referralUnanswered, .reportOverdue])
        #expect(book.sortedEpisodes.first?.measures.overdueReports == 1)
    }

    @Test func consentDenyingAParticipantIsRecorded() throws {
        let (book, ingestion) = self.book(
            CataractScenario.parties + [CataractScenario.referral(), CataractScenario.consentDenyingOptometrist]
        )
        #expect(self.kinds(ingestion) == [.consentChanged])
        let consent = try #require(book.sortedEpisodes.first?.consent)
        #expect(consent.decision == .permit)
        #expect(consent.deniedParties == [CataractScenario.optometristNPI])
        #expect(!consent.permits([CataractScenario.optometristNPI], defaultPermit: true))
        #expect(consent.permits([CataractScenario.surgeonNPI], defaultPermit: false))
    }

    @Test func sameContentResentChangesNothing() throws {
        let resources =
            CataractScenario.parties + [
                CataractScenario.referral(), CataractScenario.careTeam, CataractScenario.carePlan(),
            ]
        var (book, _) = self.book(resources)
        let before = book
        for resource in resources {
            let again = self.normaliser.ingest(resource, sender: nil, into: &book)
            #expect(again.isEmpty)
        }
        #expect(book == before)
    }

    @Test func reverseOrderGivesSameEpisodes() throws {
        let resources =
            CataractScenario.parties + [
                CataractScenario.referral(),
                CataractScenario.task(id: "t-1", businessStatus: nil, status: "accepted", at: "2026-03-02T15:00:00Z"),
                CataractScenario.careTeam, CataractScenario.carePlan(), CataractScenario.consentDenyingOptometrist,
                CataractScenario.postOpReport,
            ]
        let (forward, _) = self.book(resources)
        let (backward, _) = self.book(resources.reversed())
        #expect(forward.episodes.count == 1)
        #expect(forward.sortedEpisodes.map(\.state) == backward.sortedEpisodes.map(\.state))
        #expect(backward.sortedEpisodes.first.map { $0.timeline.map(\.number) == Array(1...$0.timeline.count) } == true)
    }

    @Test func olderVersionDoesNotReplaceNewer() throws {
        var (book, _) = self.book(
            CataractScenario.parties + [
                CataractScenario.referral(status: "completed", lastUpdated: "2026-04-20T12:00:00Z")
            ]
        )
        let stale = self.normaliser.ingest(
            CataractScenario.referral(status: "active", lastUpdated: "2026-03-01T09:00:00Z"),
            sender: nil,
            into: &book
        )
        #expect(stale.storedKeys.isEmpty)
        #expect(
            stale.outcome.issues.contains {
                $0.severity == .warning && $0.message.contains("older than the version held")
            }
        )
        #expect(book.sortedEpisodes.first?.status == .completed)
    }

    @Test func completedReferralIsNotReopenedByALateActiveCopyWithoutMeta() throws {
        var (book, _) = self.book(CataractScenario.parties + [CataractScenario.referral(status: "completed")])
        let late = self.normaliser.ingest(CataractScenario.referral(status: "active"), sender: nil, into: &book)
        #expect(late.isEmpty)
        #expect(book.sortedEpisodes.first?.referrals.first?.status == "completed")
    }

    @Test func bookRoundTripsThroughCodable() throws {
        let (book, _) = self.book(CataractScenario.parties + [CataractScenario.referral(), CataractScenario.careTeam])
        let data = try JSONRoundTrip.encode(book)
        let decoded = try JSONRoundTrip.decode(EpisodeBook.self, from: data)
        #expect(decoded == book)
    }

    @Test func heldResourceIsStoredAsFHIRJSONAndTheEarlierTreeLayoutStillReads() throws {
        let referral = CataractScenario.referral()
        let held = HeldResource(key: "ServiceRequest/sr-1", fullUrl: nil, sender: "s", resource: referral, arrival: 3)
        let stored = try JSONSerialization.jsonObject(with: try JSONRoundTrip.encode(held)) as? [String: Any]
        let text = try #require(stored?["resource"] as? String)
        #expect(text == String(decoding: FHIRJSON.write(referral), as: UTF8.self))
        #expect(try JSONRoundTrip.decode(HeldResource.self, from: try JSONRoundTrip.encode(held)) == held)

        // Books stored before the FHIR JSON form hold the element tree as nested objects.
        let earlier = #"""
            {"arrival":3,"key":"Patient/p1","resource":{"name":"Patient","type":"Patient","children":[
            {"name":"id","type":"id","value":"p1"},{"name":"active","type":"boolean","value":"true"}]}}
            """#
        let decoded = try JSONRoundTrip.decode(HeldResource.self, from: Data(earlier.utf8))
        #expect(decoded.resource.string("id") == "p1")
        #expect(decoded.resource.child("active")?.value == "true")
    }
}
