import CoManagement
import FHIRCore
import Foundation
import Testing

/// Every `Samples/` scenario, in JSON and in XML, normalises step by step to the episode documents in its
/// golden files: `NN-name.episode.json` after each message, `evaluated.episode.json` after evaluating at
/// the scenario's `evaluateAt`.
///
/// To accept a deliberate change, run with `TANDEM_UPDATE_GOLDENS=1` and review the diff of `Samples/`.
@Suite struct SampleGoldenTests {
    static let updating = ProcessInfo.processInfo.environment["TANDEM_UPDATE_GOLDENS"] == "1"
    static let folders: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SampleScenario.directory.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(
                atPath: SampleScenario.directory.appendingPathComponent("\($0)/scenario.json").path
            )
        }.sorted()
    }()

    @Test func everyShippedServiceLineHasAScenario() throws {
        let mappings = try MappingFixtures.shipped()
        #expect(Set(Self.folders) == Set(mappings.serviceLines.map(\.id)))
    }

    @Test(arguments: Self.folders)
    func xmlTwinsCarryTheSameContentAsTheirJSON(folder: String) throws {
        let scenario = try SampleScenario.load(folder: folder)
        for step in scenario.steps {
            let json = try FHIRCodec.read(try Self.bytes(folder, step.file)).root
            let xmlFile = String(step.file.dropLast(5)) + ".xml"
            let xml = try FHIRCodec.read(try Self.bytes(folder, xmlFile)).root
            #expect(json == xml, "\(folder)/\(xmlFile) differs from its JSON; run scripts/generate-sample-xml.sh")
        }
    }

    @Test(arguments: Self.folders, [WireFormat.json, .xml])
    func scenarioNormalisesToItsGoldenEpisodes(folder: String, encoding: WireFormat) throws {
        let normaliser = Normaliser(mappings: try MappingFixtures.shipped())
        let scenario = try SampleScenario.load(folder: folder)
        var book = EpisodeBook()
        for step in scenario.steps {
            let file = encoding == .json ? step.file : String(step.file.dropLast(5)) + ".xml"
            let (resource, outcome) = try FHIRCodec.readAndValidate(try Self.bytes(folder, file))
            #expect(!outcome.hasErrors, "\(folder)/\(file): \(outcome)")
            let ingestion = normaliser.ingest(resource, sender: scenario.sender, into: &book)
            #expect(!ingestion.outcome.hasErrors, "\(folder)/\(file): \(ingestion.outcome)")
            try self.compare(book, golden: String(step.file.dropLast(5)) + ".episode.json", in: folder, encoding)
        }
        _ = normaliser.reevaluate(at: scenario.evaluateAt, book: &book)
        try self.compare(book, golden: "evaluated.episode.json", in: folder, encoding)
    }

    private func compare(_ book: EpisodeBook, golden: String, in folder: String, _ encoding: WireFormat) throws {
        let document = EpisodeDocument.encode(book.sortedEpisodes) + "\n"
        let url = SampleScenario.directory.appendingPathComponent("\(folder)/\(golden)")
        if Self.updating && encoding == .json {
            try Data(document.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(
            document == expected,
            "\(folder)/\(golden) (\(encoding)): the episode document differs from the golden file"
        )
    }

    static func bytes(_ folder: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: SampleScenario.directory.appendingPathComponent("\(folder)/\(file)")))
    }
}
