import CoManagement
import FHIRCore
import Testing

/// A resource its sender deletes leaves the episodes that held it, which record the withdrawal.
@Suite struct WithdrawalTests {
    let normaliser: Normaliser

    init() throws {
        self.normaliser = Normaliser(mappings: try MappingFixtures.shipped())
    }

    @Test func aWithdrawnTaskLeavesAnEventAndTheEpisodeAsBeforeIt() throws {
        var book = EpisodeBook()
        for resource in CataractScenario.parties + [CataractScenario.referral()] {
            _ = self.normaliser.ingest(resource, sender: nil, into: &book)
        }
        let before = try #require(book.sortedEpisodes.first)
        let ack = CataractScenario.task(
            id: "t-1",
            businessStatus: ("http://lakeside-eye.example.org/fhir/CodeSystem/referral-state", "ACK"),
            at: "2026-03-02T15:00:00Z"
        )
        _ = self.normaliser.ingest(ack, sender: nil, into: &book)
        #expect(book.episodes[before.id]?.status == .accepted)
        let withdrawn = self.normaliser.withdraw(["Task/t-1": "Task/t-1/_history/2"], from: &book)
        let change = try #require(withdrawn.changes.first { $0.episodeID == before.id })
        #expect(change.events.last?.kind == .resourceWithdrawn)
        #expect(change.events.last?.source == "Task/t-1/_history/2")
        #expect(change.events.last?.kind.topic == "episode")
        let after = try #require(book.episodes[before.id])
        #expect(after.status == .referred, "the acceptance went with the task")
        #expect(after.timeline.last?.kind == .resourceWithdrawn)
        #expect(after.timeline.map(\.number) == Array(1...after.timeline.count), "numbers go on without gaps")
        #expect(book.resources["Task/t-1"] == nil)
    }

    @Test func anEpisodeItsOnlyReferralLeavesHearsBeforeItIsRetired() throws {
        var book = EpisodeBook()
        for resource in CataractScenario.parties + [CataractScenario.referral()] {
            _ = self.normaliser.ingest(resource, sender: nil, into: &book)
        }
        let episode = try #require(book.sortedEpisodes.first)
        let withdrawn = self.normaliser.withdraw(["ServiceRequest/sr-1": "ServiceRequest/sr-1/_history/2"], from: &book)
        #expect(withdrawn.retiredEpisodeIDs == [episode.id])
        let change = try #require(withdrawn.changes.first { $0.episodeID == episode.id })
        #expect(change.events.map(\.kind) == [.resourceWithdrawn])
        #expect(change.events.first?.number == episode.timeline.count + 1)
        #expect(book.episodes[episode.id] == nil)
    }

    @Test func withdrawingWhatIsNotHeldChangesNothing() throws {
        var book = EpisodeBook()
        for resource in CataractScenario.parties { _ = self.normaliser.ingest(resource, sender: nil, into: &book) }
        let withdrawn = self.normaliser.withdraw(["ServiceRequest/nope": "ServiceRequest/nope/_history/2"], from: &book)
        #expect(withdrawn.changes.isEmpty)
    }
}
