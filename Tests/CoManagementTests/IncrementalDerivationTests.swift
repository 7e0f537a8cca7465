import FHIRCore
import Testing

@testable import CoManagement

/// The normaliser keeps facts and episodes between messages and builds again only what a message changed.
/// Whatever the order messages arrive in, and however they are repeated, the episodes it ends with are
/// those a book deriving everything at once from the same resources gives.
@Suite struct IncrementalDerivationTests {
    static let normaliser = Normaliser(mappings: try! MappingFixtures.shipped())

    /// A deterministic shuffle, so a failure names the seed that found it.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: SampleScenario.all(), 0..<6)
    func anyOrderAndRepeatsEndWhereOneFullDerivationDoes(scenario: SampleScenario, seed: Int) {
        var random = SplitMix(state: UInt64(seed) &* 7919)
        var steps = scenario.steps.shuffled(using: &random)
        // Some messages come twice, one of them again at the end.
        steps += steps.prefix(seed % 3).shuffled(using: &random)
        var book = EpisodeBook()
        for step in steps { _ = Self.normaliser.ingest(step.resource, sender: scenario.sender, into: &book) }
        _ = Self.normaliser.reevaluate(at: scenario.evaluateAt, book: &book)

        // The same resources, derived at once in a fresh book.
        var fresh = EpisodeBook(resources: Array(book.resources.values), episodes: [], evaluatedAt: nil)
        _ = Self.normaliser.reevaluate(at: scenario.evaluateAt, book: &fresh)
        #expect(book.sortedEpisodes.map(\.state) == fresh.sortedEpisodes.map(\.state), "seed \(seed)")
        // The facts kept by kind in key order, changed a few at a time, are those sorting them all gives.
        #expect(Self.keys(book.classified) == Self.keys(Facts(book.facts)), "seed \(seed)")
        #expect(book.sortedEpisodes.allSatisfy { $0.timeline.map(\.number) == Array(1...$0.timeline.count) })
    }

    @Test func aMessageBuildsOnlyTheEpisodesItsResourcesChange() {
        var book = EpisodeBook()
        for index in 0..<20 {
            let ingestion = Self.normaliser.ingest(Self.referral(index), sender: "lakeside", into: &book)
            // Each referral of the one patient opens its own episode and touches no other.
            #expect(ingestion.changes.map(\.episodeID).count == 1)
        }
        #expect(book.episodes.count == 20)
        // What the next referral reads and builds: its own fact and its own episode, nothing of the 20.
        book.store(
            HeldResource(
                key: "ServiceRequest/sr-many-20",
                fullUrl: nil,
                sender: "lakeside",
                resource: Self.referral(20),
                arrival: 99
            )
        )
        #expect(book.stale == ["ServiceRequest/sr-many-20"])
        book.refreshFacts(mappings: Self.normaliser.mappings)
        let signatures = book.signatures
        let derivation = EpisodeDerivation(mappings: Self.normaliser.mappings, evaluatedAt: nil)
        let result = derivation.derive(book.classified, revisions: book.facts) { id, signature in
            signatures[id] == signature
        }
        #expect(result.signatures.count == 21 && result.built.count == 1)
        // The patient's name arrives: every episode of the patient shows it.
        let patient = FHIRFixture.resource(
            #"{"resourceType":"Patient","id":"p-many","identifier":[{"system":"http://hospital.example.org/fhir/sid/mrn","value":"MANY"}],"name":[{"family":"Many"}]}"#
        )
        let named = Self.normaliser.ingest(patient, sender: "lakeside", into: &book)
        #expect(named.changes.count == 21)
        #expect(book.episodes.values.allSatisfy { $0.patient.name == "Many" })
    }

    /// Each kind's fact keys, in the order the facts are kept.
    static func keys(_ facts: Facts) -> [[String]] {
        [
            facts.referrals.map(\.item.key), facts.tasks.map(\.item.key), facts.carePlans.map(\.item.key),
            facts.careTeams.map(\.item.key), facts.consents.map(\.item.key), facts.communications.map(\.item.key),
        ]
    }

    static func referral(_ index: Int) -> Element {
        FHIRFixture.resource(
            #"""
            {"resourceType":"ServiceRequest","id":"sr-many-\#(index)","status":"active","intent":"order",
             "identifier":[{"system":"urn:oid:1.2.3","value":"MANY-\#(index)"}],
             "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"66984"}]},
             "subject":{"reference":"Patient/p-many"},"authoredOn":"2026-03-0\#(index % 9 + 1)"}
            """#
        )
    }
}
