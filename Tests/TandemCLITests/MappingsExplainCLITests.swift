import Foundation
import Testing

/// `tandem mappings explain SYSTEM|CODE`, run as a user runs it.
@Suite struct MappingsExplainCLITests {
    static var mappings: String { CoManagementCLITests.mappings }

    @Test(arguments: [
        ("http://hl7.org/fhir/sid/icd-10-cm|H25.13", "ophthalmology.cataract: opens an episode", "concept is-a H25"),
        ("http://hl7.org/fhir/sid/icd-10-cm|S72.141D", "orthopedics.hip-fracture: joins", "concept is-a S72.1"),
        ("http://snomed.info/sct|110473004", "ophthalmology.cataract: opens an episode", "concept is-a 110473004"),
        ("http://www.ama-assn.org/go/cpt|66984", "ophthalmology.cataract.services", "concept 66984"),
    ])
    func explainNamesServiceLineValueSetAndRule(coding: String, line: String, rule: String) throws {
        let result = try CLIRunner.run(["mappings", "explain", coding, "--mappings", Self.mappings])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(line), "\(result.standardOutput)")
        #expect(result.standardOutput.contains(rule), "\(result.standardOutput)")
    }

    @Test func excludedCodeIsExplainedAndExitsOne() throws {
        let result = try CLIRunner.run(
            ["mappings", "explain", "http://www.ama-assn.org/go/cpt|66990", "--mappings", Self.mappings]
        )
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("ophthalmology.cataract: excluded"), "\(result.standardOutput)")
    }

    @Test func codingWithoutASystemIsRefused() throws {
        let result = try CLIRunner.run(["mappings", "explain", "H25.13", "--mappings", Self.mappings])
        #expect(result.status != 0)
        #expect(result.standardError.contains("SYSTEM|CODE"), "\(result.standardError)")
    }
}
