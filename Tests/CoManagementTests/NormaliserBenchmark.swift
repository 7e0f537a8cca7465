import CoManagement
import FHIRCore
import Foundation
import Testing

/// How ingest time grows with the book: opt-in (`TANDEM_BENCH=1`), prints timings, asserts nothing
/// about speed so that a slow CI machine does not fail it.
@Suite struct NormaliserBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TANDEM_BENCH"] != nil))
    func ingestTimeAgainstBookSize() throws {
        let normaliser = Normaliser(mappings: try MappingFixtures.shipped())
        let scenarios = SampleScenario.all()
        for copies in [1, 10, 40] {
            var book = EpisodeBook()
            let clock = ContinuousClock()
            var last = Duration.zero
            let total = clock.measure {
                for copy in 0..<copies {
                    for scenario in scenarios {
                        for step in scenario.steps {
                            let resource = Self.renamed(step.resource, suffix: "-\(copy)")
                            last = clock.measure {
                                _ = normaliser.ingest(resource, sender: scenario.sender, into: &book)
                            }
                        }
                    }
                }
            }
            print(
                "bench normaliser: \(book.resources.count) resources, \(book.episodes.count) episodes;",
                "all ingests \(total), last ingest \(last)"
            )
        }
    }

    /// How one message's cost grows with the resources linked to it: referrals for one patient, and
    /// referrals for as many patients that all name one surgeon (who must not link them).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TANDEM_BENCH"] != nil))
    func ingestTimeAgainstLinkedResources() throws {
        let normaliser = Normaliser(mappings: try MappingFixtures.shipped())
        for samePatient in [true, false] {
            var book = EpisodeBook()
            let clock = ContinuousClock()
            for count in 1...400 {
                let patient = samePatient ? "p" : "p\(count)"
                let referral = FHIRFixture.resource(
                    #"""
                    {"resourceType":"ServiceRequest","id":"sr-\#(count)","status":"active","intent":"order",
                     "identifier":[{"system":"urn:bench","value":"\#(count)"}],
                     "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"66984"}]},
                     "subject":{"reference":"Patient/\#(patient)"},"performer":[{"reference":"Practitioner/surgeon"}]}
                    """#
                )
                let elapsed = clock.measure { _ = normaliser.ingest(referral, sender: "bench", into: &book) }
                if [50, 100, 200, 400].contains(count) {
                    print(
                        "bench normaliser:",
                        samePatient ? "one patient," : "one surgeon,",
                        "\(count) referrals: the last ingest took \(elapsed)"
                    )
                }
            }
        }
    }

    /// A copy of a message whose ids, fullUrls, references and identifier values carry a suffix, so
    /// copies are different patients and episodes.
    static func renamed(_ element: Element, suffix: String) -> Element {
        var copy = element
        if ["id", "fullUrl", "reference"].contains(copy.name) || (copy.name == "value" && copy.type == "string"),
            let value = copy.value, !value.hasPrefix("#")
        {
            copy.value = value + suffix
        }
        copy.children = copy.children.map { self.renamed($0, suffix: suffix) }
        return copy
    }
}
