import CoManagement
import FHIRCore
import Testing

/// Tandem's hand-off Tasks, as the pure model decides them (issue 22): which hand-offs need a Task of
/// Tandem's, what it says (BSeR's Referral Task), and that it steps aside when the sender's Task arrives.
@Suite struct HandoffTaskTests {
    static let normaliser = Normaliser(mappings: try! MappingFixtures.shipped())

    /// Ingests `resources` as the store does: the sender's, then the Tasks Tandem writes for them, as its own.
    static func ingest(_ resources: [Element], sender: String, into book: inout EpisodeBook) -> [Element] {
        var written: [Element] = []
        for resource in resources {
            _ = Self.normaliser.ingest(resource, sender: sender, into: &book)
            for task in HandoffTaskResources.writes(for: book) {
                _ = Self.normaliser.ingest(task, sender: HandoffTaskResources.sender, into: &book)
                written.append(task)
            }
        }
        return written
    }

    @Test func aReferralWithoutTheSendersTaskGetsOneOfTandemsThenItStepsAside() throws {
        let scenario = try SampleScenario.load(folder: "cardiology.service-line")
        var book = EpisodeBook()
        let first = Self.ingest([scenario.steps[0].resource], sender: scenario.sender, into: &book)
        let task = try #require(first.first)
        #expect(first.count == 1)
        #expect(!Validator.validate(task).hasErrors, "\(Validator.validate(task))")
        #expect(task.string("status") == "requested")
        #expect(task.child("businessStatus")?.child("coding")?.string("code") == "2.0")
        #expect(task.child("owner")?.string("display") == "Cobalt Ridge Heart Associates")
        #expect(task.child("requester")?.string("display") == "Cobalt Ridge Regional Hospital")
        #expect(task.child("restriction")?.child("period")?.string("end") == "2026-05-04T23:30:00-04:00")
        #expect(
            task.resourceID == HandoffTaskResources.id(for: try #require(book.sortedEpisodes.first?.tasks.first?.key))
        )
        let episode = try #require(book.sortedEpisodes.first)
        #expect(episode.timeline.last?.kind == .taskRequested)
        #expect(episode.timeline.last?.audience == ["http://regional-hie.example.org/fhir/sid/organization|ORG-20871"])
        // Held, it is tracked, and nothing more is written.
        #expect(HandoffTaskResources.writes(for: book).isEmpty)

        // The sender's own Task arrives: it tracks the referral, and Tandem's is cancelled.
        let second = Self.ingest([scenario.steps[1].resource], sender: scenario.sender, into: &book)
        let cancelled = try #require(second.first)
        #expect(cancelled.resourceID == task.resourceID)
        #expect(cancelled.string("status") == "cancelled")
        #expect(!Validator.validate(cancelled).hasErrors)
        let tracked = try #require(book.sortedEpisodes.first?.tasks.first)
        #expect(tracked.task != tracked.tandemTask)
        #expect(tracked.status == "accepted")
        #expect(HandoffTaskResources.writes(for: book).isEmpty)
    }

    @Test func aTaskSentWithTheReferralNeedsNoneOfTandems() throws {
        let scenario = try SampleScenario.load(folder: "cardiology.service-line")
        var book = EpisodeBook()
        let bundle = Element(
            name: "Bundle",
            type: "Bundle",
            children: [Element(name: "type", type: "code", value: "collection")]
                + [scenario.steps[0].resource, scenario.steps[1].resource].map { resource in
                    var entry = resource
                    entry.name = "resource"
                    return Element(name: "entry", type: "Bundle.Entry", children: [entry])
                }
        )
        #expect(Self.ingest([bundle], sender: scenario.sender, into: &book).isEmpty)
    }

    @Test func anUnacknowledgedHandoffEscalatesOnceAtItsDueTime() throws {
        let scenario = try SampleScenario.load(folder: "endocrinology.diabetes")
        var book = EpisodeBook()
        _ = Self.ingest(scenario.steps.map(\.resource), sender: scenario.sender, into: &book)
        let handoff = try #require(book.sortedEpisodes.first?.tasks.first { $0.kind == .handoff })
        // Effective 2026-03-30 (a date), seven days in the sender's offset (-05:00).
        #expect(handoff.dueBy == "2026-04-07T00:00:00-05:00")
        #expect(handoff.task == handoff.tandemTask)
        let before = Self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-04-07T04:59:59Z")), book: &book)
        #expect(!before.changes.flatMap(\.events).contains { $0.kind == .escalation })
        let after = Self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-04-07T05:00:00Z")), book: &book)
        let escalation = try #require(after.changes.flatMap(\.events).first { $0.kind == .escalation })
        #expect(escalation.audience == [handoff.requester])
        let again = Self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-04-20T00:00:00Z")), book: &book)
        #expect(!again.changes.flatMap(\.events).contains { $0.kind == .escalation })
    }
}
