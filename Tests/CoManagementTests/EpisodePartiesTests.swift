import CoManagement
import FHIRCore
import Foundation
import Testing

/// The delivery service decodes ``EpisodeParties`` straight from a stored episode document, and each outbox
/// row's ``TimelineEvent``, with ``MemberJSONDecoder``; for every episode the samples produce, that reads
/// the same parties and consent as the whole episode holds, and the same as Foundation's decoder.
@Suite struct EpisodePartiesTests {
    @Test(arguments: SampleScenario.all().map(\.serviceLine))
    func partiesDecodedFromAnEpisodeDocumentAreTheEpisodes(serviceLine: String) throws {
        let scenario = try SampleScenario.load(folder: serviceLine)
        let (book, _) = scenario.run(Normaliser(mappings: try MappingFixtures.shipped()))
        #expect(!book.sortedEpisodes.isEmpty)
        for episode in book.sortedEpisodes {
            let document = try SortedKeysJSONEncoder().encode(episode)
            let parties = try MemberJSONDecoder().decode(EpisodeParties.self, from: document)
            #expect(parties == episode.parties, "\(episode.id)")
            #expect(parties == (try JSONDecoder().decode(EpisodeParties.self, from: Data(document))), "\(episode.id)")
            #expect(!parties.participants.isEmpty, "\(episode.id)")
            #expect(try MemberJSONDecoder().decode(Episode.self, from: document) == episode, "\(episode.id)")
            for event in episode.timeline {
                #expect(
                    try MemberJSONDecoder().decode(TimelineEvent.self, from: SortedKeysJSONEncoder().encode(event))
                        == event
                )
            }
        }
    }
}
