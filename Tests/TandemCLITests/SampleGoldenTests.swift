import CoManagement
import FHIRCore
import Foundation
import Testing

@testable import tandem

/// Every `Samples/` scenario, in JSON and in XML, posted step by step to the gateway as `replay --dry-run`
/// posts it (its own routes, on a private store), gives the episode documents in its golden files:
/// `NN-name.episode.json` after each message, `evaluated.episode.json` after evaluating at the scenario's
/// `evaluateAt`. `ServeScenarioTests` checks that a running `tandem serve` gives the same.
///
/// To accept a deliberate change, run with `TANDEM_UPDATE_GOLDENS=1` and review the diff of `Samples/`.
@Suite struct SampleGoldenTests {
    static let updating = ProcessInfo.processInfo.environment["TANDEM_UPDATE_GOLDENS"] == "1"

    @Test(arguments: GoldenScenario.all, [WireFormat.json, .xml])
    func scenarioGivesItsGoldenEpisodesThroughTheGateway(scenario: GoldenScenario, encoding: WireFormat) async throws {
        let mappings = try MappingDirectory.load(at: ServerProcess.repository.appendingPathComponent("Mappings").path)
        try await InProcessGateway.run(
            mappings: mappings,
            partners: [],
            consentDefaultPermit: true,
            sender: scenario.sender
        ) { gateway in
            var run = DryRun(gateway: gateway)
            for step in scenario.steps {
                let posted = try await run.post(try scenario.bytes(step.file, encoding))
                #expect(posted.succeeded, "\(scenario.folder)/\(step.file): \(OutcomeSummary.line(for: posted.body))")
                try Self.compare(try await run.episodes(), scenario, step.golden, encoding)
            }
            _ = try await run.evaluate(at: try #require(FHIRInstant(scenario.evaluateAt)))
            try Self.compare(try await run.episodes(), scenario, "evaluated.episode.json", encoding)
        }
    }

    static func compare(
        _ episodes: [Episode],
        _ scenario: GoldenScenario,
        _ golden: String,
        _ encoding: WireFormat
    )
        throws
    {
        let document = EpisodeDocument.encode(episodes) + "\n"
        let url = scenario.directory.appendingPathComponent(golden)
        if Self.updating && encoding == .json {
            try Data(document.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(document == expected, "\(scenario.folder)/\(golden) (\(encoding)) differs from the golden file")
    }
}

/// A `Samples/` scenario folder: its sender, steps and evaluation time (`scenario.json`).
struct GoldenScenario: Sendable, CustomTestStringConvertible {
    struct Step: Sendable {
        var file: String
        /// `NN-name.episode.json`.
        var golden: String { String(self.file.dropLast(5)) + ".episode.json" }
    }

    var folder: String
    var sender: String
    var evaluateAt: String
    var steps: [Step]

    var testDescription: String { self.folder }
    var directory: URL { ServerProcess.repository.appendingPathComponent("Samples/\(self.folder)") }

    static let all: [GoldenScenario] = {
        let samples = ServerProcess.repository.appendingPathComponent("Samples")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []
        return folders.sorted().compactMap { try? GoldenScenario.load($0) }
    }()

    static func load(_ folder: String) throws -> GoldenScenario {
        let url = ServerProcess.repository.appendingPathComponent("Samples/\(folder)/scenario.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let steps = (object["steps"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
        return GoldenScenario(
            folder: folder,
            sender: object["sender"] as? String ?? "",
            evaluateAt: object["evaluateAt"] as? String ?? "",
            steps: steps.map(Step.init(file:))
        )
    }

    /// A step's message in JSON or in its XML twin.
    func bytes(_ file: String, _ encoding: WireFormat) throws -> [UInt8] {
        let name = encoding == .json ? file : String(file.dropLast(5)) + ".xml"
        return [UInt8](try Data(contentsOf: self.directory.appendingPathComponent(name)))
    }
}
