import FHIRCore
import Foundation
import Testing

@Suite struct JSONExampleTests {
    @Test(.enabled(if: ExampleCorpus.isRequired, "only on CI, where the examples must be present"))
    func officialExamplesArePresentOnCI() throws {
        let directory = try #require(ExampleCorpus.root, "set TANDEM_FHIR_R4 to the shared/fhir-r4 folder")
        #expect(ExampleCorpus.exampleNames.count == 248, "\(directory.path)")
    }

    @Test(
        .enabled(if: ExampleCorpus.root != nil, "official FHIR R4 examples not found: set TANDEM_FHIR_R4"),
        arguments: ExampleCorpus.exampleNames
    )
    func officialExampleReadsWithoutErrors(_ name: String) throws {
        let parsed = try FHIRJSON.read(ExampleCorpus.json(name))
        #expect(!parsed.issues.hasErrors, "\(parsed.issues)")
        #expect(parsed.root.isResource)
        #expect(parsed.root.location.isKnown)
    }

    @Test(
        .enabled(if: ExampleCorpus.root != nil, "official FHIR R4 examples not found: set TANDEM_FHIR_R4"),
        arguments: ExampleCorpus.exampleNames
    )
    func officialExampleRoundTripsAndMatchesTheOfficialJSON(_ name: String) throws {
        let original = try ExampleCorpus.json(name)
        let tree = try FHIRJSON.read(original).root
        let written = FHIRJSON.write(tree)
        let reread = try FHIRJSON.read(written)
        #expect(reread.issues.issues.isEmpty, "\(reread.issues)")
        #expect(reread.root == tree)
        #expect(FHIRJSON.write(reread.root) == written, "writing is not byte-stable")
        let pretty = FHIRJSON.write(tree, pretty: true)
        #expect(try FHIRJSON.read(pretty).root == tree)

        let official = try JSONSerialization.jsonObject(with: Data(original))
        let ours = try JSONSerialization.jsonObject(with: Data(written))
        let difference = JSONValueDiff.firstDifference(official, ours, divEqual: ==)
        #expect(difference == nil, "\(difference ?? "")")
        #expect(
            JSONValueDiff.firstDifference(official, try JSONSerialization.jsonObject(with: Data(pretty)), divEqual: ==)
                == nil
        )
    }
}
