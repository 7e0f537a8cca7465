import CoManagement
import FHIRCore
import Foundation
import Testing

/// Every shipped service line has a `Samples/` scenario, and each step's XML twin carries the same content
/// as its JSON. (The scenarios' golden episode documents are checked through the gateway itself, by
/// `TandemCLITests`' `SampleGoldenTests`.)
@Suite struct SampleFileTests {
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

    static func bytes(_ folder: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: SampleScenario.directory.appendingPathComponent("\(folder)/\(file)")))
    }
}
