import CoManagement
import FHIRCore
import Testing

/// What the timers rest on: each episode's next deadline, and the events evaluating past it records.
@Suite struct TimerDerivationTests {
    static let normaliser = Normaliser(mappings: try! MappingFixtures.shipped())

    static func cataract() throws -> SampleScenario { try SampleScenario.load(folder: "ophthalmology.cataract") }

    @Test func anUnansweredReferralIsDueAtItsAcceptanceDeadline() throws {
        let scenario = try Self.cataract()
        var book = EpisodeBook()
        _ = Self.normaliser.ingest(scenario.steps[0].resource, sender: scenario.sender, into: &book)
        let referral = try #require(book.sortedEpisodes.first?.referrals.first)
        // authoredOn 2026-03-02T10:30:00-05:00 plus the cataract line's 48 hours.
        #expect(referral.lifecycle.answerDueBy == "2026-03-04T10:30:00-05:00")
        #expect(book.nextDue == FHIRInstant("2026-03-04T10:30:00-05:00"))

        let early = Self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-03-04T10:29:00-05:00")), book: &book)
        #expect(early.changes.isEmpty)
        let late = Self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-03-04T10:30:00-05:00")), book: &book)
        #expect(late.changes.flatMap(\.events).map(\.kind) == [.referralUnanswered])
        #expect(late.changes.first?.events.first?.at == "2026-03-04T10:30:00-05:00")
        #expect(book.nextDue == nil)
        // Once flagged, a later evaluation records nothing again.
        let again = Self.normaliser.reevaluate(at: try #require(FHIRInstant("2026-03-05T00:00:00Z")), book: &book)
        #expect(again.changes.isEmpty)

        // The late acceptance clears the flag and is counted in the turnaround.
        _ = Self.normaliser.ingest(scenario.steps[1].resource, sender: scenario.sender, into: &book)
        let answered = try #require(book.sortedEpisodes.first?.referrals.first)
        #expect(answered.lifecycle.unanswered == nil)
        #expect(answered.isAnswered)
    }

    @Test func theNextDeadlineMovesOnAsEachFalls() throws {
        let scenario = try Self.cataract()
        var book = EpisodeBook()
        for step in scenario.steps { _ = Self.normaliser.ingest(step.resource, sender: scenario.sender, into: &book) }
        // Never evaluated: every pending deadline counts, the earliest first (the second-eye evaluation,
        // due 2026-04-17, is the only one open once the report came back).
        #expect(book.nextDue == FHIRInstant.due("2026-04-17"))
        let fired = Self.normaliser.reevaluate(at: try #require(FHIRInstant.due("2026-04-17")), book: &book)
        #expect(fired.changes.flatMap(\.events).map(\.kind) == [.activityOverdue])
        // The post-operative visits, due 2026-06-08, are next.
        #expect(book.nextDue == FHIRInstant.due("2026-06-08"))
    }
}
