import Foundation
import Testing

/// `tandem mappings check`, `tandem fhirpath` and `tandem replay --dry-run`, run as a user runs them.
@Suite struct CoManagementCLITests {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var mappings: String { package.appendingPathComponent("Mappings").path }
    static var cataract: URL { package.appendingPathComponent("Samples/ophthalmology.cataract") }

    @Test func mappingsCheckPassesOnTheShippedMappings() throws {
        let result = try CLIRunner.run(["mappings", "check", "--mappings", Self.mappings])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("5 service lines"))
    }

    @Test func mappingsCheckNamesTheFileAndLineOfABrokenCopy() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-mappings-\(UUID())")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(atPath: Self.mappings, toPath: copy.path)
        let file = copy.appendingPathComponent("service-lines/orthopedics.hip-fracture.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        // Line 14 then names a role the service line does not define.
        text = text.replacingOccurrences(of: #""requesterRole": "surgeon""#, with: #""requesterRole": "anaesthetist""#)
        try text.write(to: file, atomically: true, encoding: .utf8)
        let broken = try CLIRunner.run(["mappings", "check", "--mappings", copy.path])
        #expect(broken.status == 1)
        #expect(
            broken.standardError.contains("service-lines/orthopedics.hip-fracture.json:14:"),
            "\(broken.standardError)"
        )
        #expect(broken.standardError.contains("anaesthetist"))

        try "{ \"id\": \"orthopedics.hip-fracture\",\n  \"title\": ".write(to: file, atomically: true, encoding: .utf8)
        let malformed = try CLIRunner.run(["mappings", "check", "--mappings", copy.path])
        #expect(malformed.status == 1)
        #expect(malformed.standardError.contains("orthopedics.hip-fracture.json:2:"), "\(malformed.standardError)")
    }

    @Test func fhirpathPrintsTheResultCollectionAsJSON() throws {
        let file = Self.cataract.appendingPathComponent("01-referral.json").path
        let result = try CLIRunner.run([
            "fhirpath", "Bundle.entry.resource.ofType(Patient).name.given", file,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let values = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String]
        #expect(values?.isEmpty == false)

        let complex = try CLIRunner.run(["fhirpath", "Bundle.entry.resource.ofType(Patient).identifier.first()", file])
        let objects = try JSONSerialization.jsonObject(with: Data(complex.standardOutput.utf8)) as? [[String: Any]]
        #expect(objects?.first?["system"] is String)
    }

    @Test func fhirpathSyntaxErrorIsAUsageError() throws {
        let file = Self.cataract.appendingPathComponent("01-referral.json").path
        let result = try CLIRunner.run(["fhirpath", "Bundle.entry.(", file])
        #expect(result.status != 0)
        #expect(!result.standardError.isEmpty)
    }

    @Test func replayDryRunShowsTheChangesAndTheEpisodes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.cataract.path)
            .filter { $0.hasSuffix(".json") }.sorted().map { Self.cataract.appendingPathComponent($0).path }
        let result = try CLIRunner.run(["replay", "--dry-run", "--mappings", Self.mappings] + files)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("(as lakeside-eye-surgery)"))
        #expect(result.standardOutput.contains("referral-accepted"))
        #expect(result.standardOutput.contains("handoff"))
        #expect(result.standardOutput.contains("scenario.json: skipped"))
        #expect(result.standardOutput.contains(#""serviceLine" : "ophthalmology.cataract""#))
    }

    @Test func replayWithoutDryRunSaysWhatItNeeds() throws {
        let result = try CLIRunner.run(["replay", Self.cataract.appendingPathComponent("01-referral.json").path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--to URL"))
        #expect(result.standardError.contains("--dry-run"))
    }
}
