import CoManagement
import FHIRCore
import Foundation
import Testing

/// The store writes episodes, held resources and timeline events with ``SortedKeysJSONEncoder``; for
/// every value the samples produce, the bytes are Foundation's (sorted keys), so rows written before and
/// after the change compare equal.
@Suite struct SampleJSONEncodingTests {
    private func foundation(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test(arguments: SampleScenario.all().map(\.serviceLine))
    func everyEpisodeValueOfTheSamplesEncodesAsFoundationDoes(serviceLine: String) throws {
        let scenario = try SampleScenario.load(folder: serviceLine)
        let (book, ingestions) = scenario.run(Normaliser(mappings: try MappingFixtures.shipped()))
        let encoder = SortedKeysJSONEncoder()
        var compared = 0
        for episode in book.sortedEpisodes {
            #expect(try encoder.encode(episode) == self.foundation(episode), "\(episode.id)")
            compared += 1
        }
        for held in book.resources.values {
            #expect(try encoder.encode(held) == self.foundation(held), "\(held.key)")
            compared += 1
        }
        for event in ingestions.flatMap(\.changes).flatMap(\.events) {
            #expect(try encoder.encode(event) == self.foundation(event), "\(event.kind)")
            compared += 1
        }
        #expect(compared > scenario.steps.count)
    }
}
