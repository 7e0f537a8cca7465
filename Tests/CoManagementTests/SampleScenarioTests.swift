import CoManagement
import FHIRCore
import Foundation
import Testing

/// The `Samples/` scenarios, normalised message by message as their sender, against the `expect`
/// sentences of each `scenario.json` (final state at `evaluateAt`).
@Suite struct SampleScenarioTests {
    /// What the scenario's `expect` sentences say about the final episode.
    struct Expectation: Sendable, CustomStringConvertible {
        var serviceLine: String
        var patientKey: String
        var hoursToAcknowledgement: Double
        var handoff: (phase: String, effective: String, acknowledged: Bool)
        var report: (kind: String, dueBy: String, returned: Bool, overdue: Bool)
        var deniedParties: [String]
        var description: String { self.serviceLine }
    }

    static let hie = "http://regional-hie.example.org/fhir/sid/"
    static let expectations: [Expectation] = [
        Expectation(
            serviceLine: "behavioral-health.integrated",
            patientKey: hie + "enterprise-id|HIE-0211-7390-5",
            hoursToAcknowledgement: 28.58,
            handoff: ("relapse-prevention", "2026-04-13", false),
            report: ("treatment-summary", "2026-04-27", true, false),
            deniedParties: []
        ),
        Expectation(
            serviceLine: "cardiology.service-line",
            patientKey: "http://hospital.example.org/fhir/sid/mrn|MRN01127764",
            hoursToAcknowledgement: 1.67,
            handoff: ("follow-up", "2026-05-06", false),
            report: ("procedure-report", "2026-05-09", false, true),
            deniedParties: [hie + "provider-directory|PD-5139047"]
        ),
        Expectation(
            serviceLine: "endocrinology.diabetes",
            patientKey: "http://hospital.example.org/fhir/sid/mrn|MRN00519287",
            hoursToAcknowledgement: 43.7,
            handoff: ("maintenance", "2026-03-30", false),
            report: ("consult-note", "2026-04-13", false, true),
            deniedParties: [hie + "organization|ORG-77120"]
        ),
        Expectation(
            serviceLine: "ophthalmology.cataract",
            patientKey: "http://lakeside-eye.example.org/fhir/sid/patient|LES-204817",
            hoursToAcknowledgement: 22.73,
            handoff: ("post-operative", "2026-03-11", true),
            report: ("post-operative-report", "2026-04-10", true, false),
            deniedParties: []
        ),
        Expectation(
            serviceLine: "orthopedics.hip-fracture",
            patientKey: "http://hospital.example.org/fhir/sid/mrn|MRN00773041",
            hoursToAcknowledgement: 1.58,
            handoff: ("post-operative-medical", "2026-01-19T08:00:00-05:00", true),
            report: ("discharge-summary", "2026-01-26T08:00:00-05:00", true, false),
            deniedParties: []
        ),
    ]

    let normaliser: Normaliser

    init() throws {
        self.normaliser = Normaliser(mappings: try MappingFixtures.shipped())
    }

    @Test func everyScenarioHasExpectations() {
        #expect(SampleScenario.all().map(\.serviceLine) == Self.expectations.map(\.serviceLine))
    }

    @Test(arguments: Self.expectations)
    func scenarioEndsAsItsStorySays(expected: Expectation) throws {
        let scenario = try SampleScenario.load(folder: expected.serviceLine)
        let (book, ingestions) = scenario.run(self.normaliser)
        let episode = try #require(book.sortedEpisodes.first)
        #expect(book.episodes.count == 1)
        #expect(episode.serviceLine == expected.serviceLine)
        #expect(episode.patient.key == expected.patientKey)
        #expect(episode.status == .handedOff)
        let hours = try #require(episode.measures.hoursToAcknowledgement)
        #expect(abs(hours - expected.hoursToAcknowledgement) < 0.01)
        #expect(episode.handoffs.count == 1)
        let handoff = try #require(episode.handoffs.first)
        #expect(handoff.phase == expected.handoff.phase && handoff.effective == expected.handoff.effective)
        #expect(!handoff.acknowledgements.isEmpty == expected.handoff.acknowledged)
        let report = try #require(episode.reports.first)
        #expect(report.kind == expected.report.kind && report.dueBy == expected.report.dueBy)
        #expect((report.returnedAt != nil) == expected.report.returned && report.overdue == expected.report.overdue)
        #expect(episode.measures.overdueActivities == 1)
        #expect(episode.consent.deniedParties == expected.deniedParties)
        // Every message changed something, and none of them drew a warning.
        for (step, ingestion) in zip(scenario.steps, ingestions) {
            #expect(!ingestion.changes.isEmpty, "\(step.file) changed nothing")
            #expect(
                ingestion.outcome.issues.filter { $0.severity <= .warning }.isEmpty,
                "\(step.file): \(ingestion.outcome)"
            )
        }
        #expect(episode.timeline.map(\.number) == Array(1...episode.timeline.count))
    }

    @Test(arguments: Self.expectations.map(\.serviceLine))
    func scenarioInReverseOrderEndsTheSame(serviceLine: String) throws {
        let scenario = try SampleScenario.load(folder: serviceLine)
        let forward = scenario.run(self.normaliser).book
        let backward = scenario.run(self.normaliser, steps: scenario.steps.reversed()).book
        #expect(forward.sortedEpisodes.map(\.state) == backward.sortedEpisodes.map(\.state))
    }

    @Test(arguments: Self.expectations.map(\.serviceLine))
    func scenarioResentChangesNothing(serviceLine: String) throws {
        let scenario = try SampleScenario.load(folder: serviceLine)
        var (book, _) = scenario.run(self.normaliser)
        let before = book
        for step in scenario.steps {
            #expect(self.normaliser.ingest(step.resource, sender: scenario.sender, into: &book).isEmpty)
        }
        #expect(book == before)
    }

    @Test func scenarioEpisodesValidateAgainstTheSchema() throws {
        guard EpisodeDocumentTests.pythonHasJSONSchema() else { return }
        let episodes = SampleScenario.all().flatMap { self.normaliser.ingestAll($0).sortedEpisodes }
        let (status, output) = try EpisodeDocumentTests.run(
            ["python3", "-c", EpisodeDocumentTests.validator, EpisodeDocumentTests.schemaURL.path],
            input: EpisodeDocument.encode(episodes)
        )
        #expect(status == 0, "\(output)")
    }
}

extension Normaliser {
    fileprivate func ingestAll(_ scenario: SampleScenario) -> EpisodeBook {
        scenario.run(self).book
    }
}

/// Re-deriving only what a message touches must give what re-deriving everything gives.
@Suite struct ScopedDerivationTests {
    @Test func interleavedScenariosMatchAFullDerivation() throws {
        let normaliser = Normaliser(mappings: try MappingFixtures.shipped())
        let scenarios = SampleScenario.all()
        var book = EpisodeBook()
        let longest = scenarios.map(\.steps.count).max() ?? 0
        for index in 0..<longest {
            for scenario in scenarios where index < scenario.steps.count {
                _ = normaliser.ingest(scenario.steps[index].resource, sender: scenario.sender, into: &book)
            }
        }
        #expect(book.episodes.count == scenarios.count)
        // A re-evaluation derives every episode from every resource; before any due date it must find
        // nothing to change.
        let full = normaliser.reevaluate(at: FHIRInstant(secondsSinceEpoch: 0), book: &book)
        #expect(full.changes.isEmpty, "\(full.changes.map(\.events))")
    }

    @Test func practitionerArrivingLateChangesOnlyTheEpisodesThatNameIt() throws {
        let normaliser = Normaliser(mappings: try MappingFixtures.shipped())
        var book = EpisodeBook()
        let other = try SampleScenario.load(folder: "orthopedics.hip-fracture")
        for step in other.steps { _ = normaliser.ingest(step.resource, sender: other.sender, into: &book) }
        for resource in [CataractScenario.patient, CataractScenario.surgeon, CataractScenario.referral()] {
            _ = normaliser.ingest(resource, sender: nil, into: &book)
        }
        let arrived = normaliser.ingest(CataractScenario.optometrist, sender: nil, into: &book)
        #expect(arrived.changes.count == 1)
        #expect(arrived.changes.first?.episode.serviceLine == "ophthalmology.cataract")
        #expect(arrived.changes.first?.events.map(\.kind) == [.referralUpdated, .participantChanged])
        #expect(arrived.changes.first?.events.last?.summary.contains("(was Practitioner/opt)") == true)
    }
}
