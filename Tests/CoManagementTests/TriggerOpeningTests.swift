import CoManagement
import FHIRCore
import Testing

/// ICD-10-CM's 7th character in episode opening, and referrals that match no service line.
@Suite struct TriggerOpeningTests {
    let normaliser: Normaliser

    init() throws {
        self.normaliser = Normaliser(mappings: try MappingFixtures.shipped())
    }

    /// A referral for patient p1 with one coding in `code` (and an optional `basedOn`).
    static func referral(
        id: String,
        system: String,
        code: String,
        authoredOn: String,
        status: String = "active",
        lastUpdated: String? = nil
    ) -> Element {
        let meta = lastUpdated.map { #""meta": { "lastUpdated": "\#($0)" },"# } ?? ""
        return FHIRFixture.resource(
            #"""
            { "resourceType": "ServiceRequest", "id": "\#(id)", \#(meta)
              "identifier": [{ "system": "http://hospital.example.org/fhir/sid/referral", "value": "\#(id)" }],
              "status": "\#(status)", "intent": "order",
              "code": { "coding": [{ "system": "\#(system)", "code": "\#(code)" }] },
              "subject": { "reference": "Patient/p1" }, "authoredOn": "\#(authoredOn)" }
            """#
        )
    }

    static let icd10CM = "http://hl7.org/fhir/sid/icd-10-cm"

    func ingest(_ resources: [Element]) -> (EpisodeBook, [Ingestion]) {
        var book = EpisodeBook()
        let ingestions = resources.map { self.normaliser.ingest($0, sender: nil, into: &book) }
        return (book, ingestions)
    }

    @Test(arguments: ["S72.001A", "S72.001B", "S72.001C", "S72.141A", "M80.051A"])
    func initialEncounterOpensAnEpisode(code: String) {
        let (book, _) = self.ingest([
            CataractScenario.patient,
            Self.referral(id: "r1", system: Self.icd10CM, code: code, authoredOn: "2026-03-01"),
        ])
        #expect(book.sortedEpisodes.map(\.serviceLine) == ["orthopedics.hip-fracture"])
    }

    @Test(arguments: ["S72.001D", "S72.001G", "S72.001K", "S72.001P", "S72.001S", "M80.051D"])
    func subsequentEncounterOrSequelaAloneOpensNothing(code: String) throws {
        let (book, ingestions) = self.ingest([
            CataractScenario.patient,
            Self.referral(id: "r1", system: Self.icd10CM, code: code, authoredOn: "2026-03-01"),
        ])
        #expect(book.sortedEpisodes.isEmpty)
        let unmatched = try #require(ingestions.last?.unmatchedReferrals.first)
        #expect(unmatched.serviceLine == "orthopedics.hip-fracture")
        #expect(unmatched.codes.map(\.code) == [code])
        #expect(ingestions.last?.outcome.issues.contains { $0.message.contains("no open episode") } == true)
    }

    @Test func subsequentEncounterJoinsTheOpenEpisodeInEitherOrder() throws {
        let opener = Self.referral(id: "r1", system: Self.icd10CM, code: "S72.001A", authoredOn: "2026-03-01")
        let follow = Self.referral(id: "r2", system: Self.icd10CM, code: "S72.001D", authoredOn: "2026-04-01")
        let (forward, _) = self.ingest([CataractScenario.patient, opener, follow])
        let (backward, ingestions) = self.ingest([CataractScenario.patient, follow, opener])
        let episode = try #require(forward.sortedEpisodes.first)
        #expect(forward.sortedEpisodes.count == 1 && episode.referrals.count == 2)
        #expect(backward.sortedEpisodes.map(\.id) == [episode.id])
        #expect(backward.sortedEpisodes.first?.referrals.map(\.key) == episode.referrals.map(\.key))
        #expect(ingestions.last?.unmatchedReferrals.isEmpty == true)
    }

    @Test func subsequentEncounterDoesNotJoinACompletedEpisode() {
        let opener = Self.referral(
            id: "r1",
            system: Self.icd10CM,
            code: "S72.001A",
            authoredOn: "2026-03-01",
            status: "completed"
        )
        let follow = Self.referral(id: "r2", system: Self.icd10CM, code: "S72.001D", authoredOn: "2026-04-01")
        let (book, ingestions) = self.ingest([CataractScenario.patient, opener, follow])
        #expect(book.sortedEpisodes.first?.referrals.count == 1)
        #expect(ingestions.last?.unmatchedReferrals.map(\.key) == ["ServiceRequest/r2"])
    }

    @Test func joinedContinuationStaysWhenItsEpisodeCompletesLater() throws {
        let opener = Self.referral(id: "r1", system: Self.icd10CM, code: "S72.001A", authoredOn: "2026-03-01")
        let follow = Self.referral(id: "r2", system: Self.icd10CM, code: "S72.001D", authoredOn: "2026-04-01")
        let completed = Self.referral(
            id: "r1",
            system: Self.icd10CM,
            code: "S72.001A",
            authoredOn: "2026-03-01",
            status: "completed",
            lastUpdated: "2026-05-01T00:00:00Z"
        )
        let (book, ingestions) = self.ingest([CataractScenario.patient, opener, follow, completed])
        #expect(book.sortedEpisodes.first?.referrals.count == 2)
        #expect(ingestions.last?.unmatchedReferrals.isEmpty == true)
        #expect(ingestions.last?.retiredEpisodeIDs.isEmpty == true)
    }

    @Test func continuationRequestedAfterTheEpisodeClosedOpensNothing() {
        let opener = Self.referral(
            id: "r1",
            system: Self.icd10CM,
            code: "S72.001A",
            authoredOn: "2026-03-01",
            status: "completed",
            lastUpdated: "2026-03-20T00:00:00Z"
        )
        let follow = Self.referral(id: "r2", system: Self.icd10CM, code: "S72.001K", authoredOn: "2026-06-01")
        let (book, ingestions) = self.ingest([CataractScenario.patient, opener, follow])
        #expect(book.sortedEpisodes.map { $0.referrals.count } == [1])
        #expect(ingestions.last?.unmatchedReferrals.map(\.serviceLine) == ["orthopedics.hip-fracture"])
    }

    @Test func resendingAContinuationChangesNothing() {
        let opener = Self.referral(id: "r1", system: Self.icd10CM, code: "S72.001A", authoredOn: "2026-03-01")
        let follow = Self.referral(id: "r2", system: Self.icd10CM, code: "S72.001D", authoredOn: "2026-04-01")
        var (book, _) = self.ingest([CataractScenario.patient, opener, follow])
        let again = self.normaliser.ingest(follow, sender: nil, into: &book)
        #expect(again.isEmpty)
    }

    @Test func unmatchedReferralIsWarnedWithItsCodesAndListed() throws {
        let referral = Self.referral(id: "r9", system: Self.icd10CM, code: "K35.80", authoredOn: "2026-03-01")
        let (book, ingestions) = self.ingest([CataractScenario.patient, referral])
        #expect(book.sortedEpisodes.isEmpty)
        let ingestion = try #require(ingestions.last)
        #expect(ingestion.storedKeys == ["ServiceRequest/r9"])
        let warning = try #require(ingestion.outcome.issues.first { $0.code == .notFound })
        #expect(warning.severity == .warning && warning.path == "ServiceRequest.code")
        #expect(warning.message.contains("http://hl7.org/fhir/sid/icd-10-cm|K35.80"))
        let unmatched = try #require(ingestion.unmatchedReferrals.first)
        #expect(unmatched.key == "ServiceRequest/r9" && unmatched.resourceType == "ServiceRequest")
        #expect(unmatched.codes == [Coding(system: Self.icd10CM, code: "K35.80")] && unmatched.serviceLine == nil)
    }

    @Test func reevaluationListsEveryUnmatchedReferral() {
        let referral = Self.referral(id: "r9", system: Self.icd10CM, code: "K35.80", authoredOn: "2026-03-01")
        var (book, _) = self.ingest([CataractScenario.patient, referral])
        let evaluated = self.normaliser.reevaluate(at: FHIRInstant("2026-05-01T00:00:00Z")!, book: &book)
        #expect(evaluated.unmatchedReferrals.map(\.key) == ["ServiceRequest/r9"])
    }

    @Test func codeOfTheReferralWinsOverAComorbidityInItsReason() throws {
        let referral = FHIRFixture.resource(
            #"""
            { "resourceType": "ServiceRequest", "id": "r5", "status": "active", "intent": "order",
              "code": { "coding": [{ "system": "http://www.ama-assn.org/go/cpt", "code": "66984" }] },
              "reasonCode": [{ "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9" }] }],
              "subject": { "reference": "Patient/p1" } }
            """#
        )
        let (book, _) = self.ingest([CataractScenario.patient, referral])
        #expect(book.sortedEpisodes.map(\.serviceLine) == ["ophthalmology.cataract"])
    }
}
