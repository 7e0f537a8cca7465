import FHIRCore
import Foundation
import Testing

/// The 248 official example pairs, both directions: XML read and written as JSON equals the official JSON,
/// JSON read and written as XML equals the official XML, with the copy's documented quirks normalised.
@Suite struct ExamplePairTests {
    @Test func corpusIsPresentInCI() {
        guard ExampleCorpus.isAvailable else { return }
        #expect(ExampleCorpus.exampleNames.count == 248)
    }

    @Test(arguments: ExampleCorpus.exampleNames)
    func xmlWrittenAsJSONEqualsTheOfficialJSON(name: String) throws {
        let parsed = try FHIRXML.read(try ExampleCorpus.xml(name))
        #expect(!parsed.issues.hasErrors, "\(parsed.issues)")
        let written = FHIRJSON.write(parsed.root)
        let ours = CorpusQuirks.normalise(json: try JSONSerialization.jsonObject(with: Data(written)))
        let official = CorpusQuirks.normalise(
            json: try JSONSerialization.jsonObject(with: Data(try ExampleCorpus.json(name)))
        )
        let difference = JSONValueDiff.firstDifference(ours, official, divEqual: XHTMLComparison.equivalent)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }

    @Test(arguments: ExampleCorpus.exampleNames)
    func jsonWrittenAsXMLEqualsTheOfficialXML(name: String) throws {
        let parsed = try FHIRJSON.read(try ExampleCorpus.json(name))
        #expect(!parsed.issues.hasErrors, "\(parsed.issues)")
        let written = FHIRXML.write(parsed.root)
        let ours = try FHIRXML.read(written)
        let official = try FHIRXML.read(try ExampleCorpus.xml(name))
        #expect(!ours.issues.hasErrors, "\(ours.issues)")
        let left = CorpusQuirks.normalise(ours.root)
        let right = CorpusQuirks.normalise(official.root)
        let difference = TreeDiff.firstDifference(left, right, divEqual: XHTMLComparison.equivalent)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }

    @Test(arguments: ExampleCorpus.exampleNames)
    func writingIsStableInBothFormats(name: String) throws {
        for format in WireFormat.allCases {
            for pretty in [false, true] {
                let source = format == .json ? try ExampleCorpus.json(name) : try ExampleCorpus.xml(name)
                let once = FHIRCodec.write(try FHIRCodec.read(source).root, as: format, pretty: pretty)
                let twice = FHIRCodec.write(try FHIRCodec.read(once).root, as: format, pretty: pretty)
                #expect(once == twice, "\(name) \(format) pretty=\(pretty) is not byte-stable")
            }
        }
    }

    @Test(arguments: ExampleCorpus.exampleNames)
    func bothReadersMakeTheSameTree(name: String) throws {
        let fromJSON = CorpusQuirks.normalise(try FHIRJSON.read(try ExampleCorpus.json(name)).root)
        let fromXML = CorpusQuirks.normalise(try FHIRXML.read(try ExampleCorpus.xml(name)).root)
        let difference = TreeDiff.firstDifference(fromJSON, fromXML, divEqual: XHTMLComparison.equivalent)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }

    @Test(arguments: ExampleCorpus.exampleNames)
    func officialExamplesValidateWithoutErrors(name: String) throws {
        for source in [try ExampleCorpus.json(name), try ExampleCorpus.xml(name)] {
            let outcome = try FHIRCodec.readAndValidate(source).outcome
            #expect(!outcome.hasErrors, "\(name): \(outcome)")
        }
    }
}
