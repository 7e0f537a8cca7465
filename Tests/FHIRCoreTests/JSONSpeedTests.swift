import FHIRCore
import Foundation
import Testing

/// Reading speed against Foundation's `JSONSerialization` on the same bytes. Timing depends on the
/// machine and build, so it runs only when asked: `TANDEM_BENCH=1 swift test -c release --filter JSONSpeed`.
@Suite struct JSONSpeedTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TANDEM_BENCH"] != nil && ExampleCorpus.root != nil))
    func readingIsFasterThanJSONSerialization() throws {
        let documents = try ExampleCorpus.jsonExamples().map(\.bytes)
        let data = documents.map { Data($0) }
        // Warm up both, so one-time costs (the R4 metadata table) are not timed.
        for document in documents { _ = try FHIRJSON.read(document) }
        for datum in data { _ = try JSONSerialization.jsonObject(with: datum) }
        // Alternate the two and keep each one's best trial, so load from other processes evens out.
        let clock = ContinuousClock()
        let rounds = 5
        var ours = Duration.seconds(1000)
        var foundation = Duration.seconds(1000)
        for _ in 0..<5 {
            ours = min(
                ours,
                try clock.measure {
                    for _ in 0..<rounds {
                        for document in documents { _ = try FHIRJSON.read(document) }
                    }
                }
            )
            foundation = min(
                foundation,
                try clock.measure {
                    for _ in 0..<rounds {
                        for datum in data { _ = try JSONSerialization.jsonObject(with: datum) }
                    }
                }
            )
        }
        let megabytes = Double(documents.reduce(0) { $0 + $1.count } * rounds) / 1_000_000
        print("FHIRJSON.read: \(ours) for \(megabytes) MB; JSONSerialization: \(foundation)")
        #expect(ours < foundation)

        let trees = try documents.map { try FHIRJSON.read($0).root }
        let writing = clock.measure {
            for _ in 0..<rounds {
                for tree in trees { _ = FHIRJSON.write(tree) }
            }
        }
        print("FHIRJSON.write: \(writing) for the same documents")
    }
}
