import CoManagement
import FHIRCore
import Foundation

/// The scenarios under `Samples/`: their messages in posting order, sender and evaluation time.
struct SampleScenario: CustomStringConvertible, Sendable {
    struct Step: Sendable {
        var file: String
        var expect: String
        var resource: Element
    }

    var serviceLine: String
    var sender: String
    var evaluateAt: FHIRInstant
    var steps: [Step]

    var description: String { self.serviceLine }

    static let directory = MappingFixtures.root.appendingPathComponent("Samples")

    /// Every scenario folder with a `scenario.json`, sorted.
    static func all() -> [SampleScenario] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return folders.sorted().compactMap { try? self.load(folder: $0) }
    }

    static func load(folder: String) throws -> SampleScenario {
        let base = directory.appendingPathComponent(folder)
        let scenario = try JSONValue.read(Array(Data(contentsOf: base.appendingPathComponent("scenario.json"))))
        var steps: [Step] = []
        for step in scenario["steps"]?.arrayValue ?? [] {
            let file = step["file"]?.stringValue ?? ""
            let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
            steps.append(
                Step(file: file, expect: step["expect"]?.stringValue ?? "", resource: FHIRFixture.resource(text))
            )
        }
        return SampleScenario(
            serviceLine: scenario["serviceLine"]?.stringValue ?? folder,
            sender: scenario["sender"]?.stringValue ?? "",
            evaluateAt: FHIRInstant(scenario["evaluateAt"]?.stringValue ?? "") ?? FHIRInstant(secondsSinceEpoch: 0),
            steps: steps
        )
    }

    /// Posts every step as the scenario's sender, then evaluates at `evaluateAt`.
    func run(_ normaliser: Normaliser, steps: [Step]? = nil) -> (book: EpisodeBook, ingestions: [Ingestion]) {
        var book = EpisodeBook()
        var ingestions: [Ingestion] = []
        for step in steps ?? self.steps {
            ingestions.append(normaliser.ingest(step.resource, sender: self.sender, into: &book))
        }
        ingestions.append(normaliser.reevaluate(at: self.evaluateAt, book: &book))
        return (book, ingestions)
    }
}
