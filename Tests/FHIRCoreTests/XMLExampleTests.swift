import Foundation
import Testing

@testable import FHIRCore

@Suite(.enabled(if: ExampleCorpus.enabled, "FHIR R4 examples not found (set TANDEM_FHIR_R4); skipped outside CI"))
struct XMLExampleTests {
    @Test func allOfficialExamplesReadWithoutErrors() throws {
        let examples = try ExampleCorpus.xmlExamples()
        #expect(examples.count == 248)
        for example in examples {
            do {
                let parsed = try FHIRXML.read(example.bytes)
                #expect(!parsed.issues.hasErrors, "\(example.name): \(parsed.issues)")
            } catch {
                Testing.Issue.record("\(example.name): \(error)")
            }
        }
    }

    @Test func examplesRoundTripToAnEqualTreeAndStableBytes() throws {
        for example in try ExampleCorpus.xmlExamples() {
            let parsed = try FHIRXML.read(example.bytes)
            for pretty in [false, true] {
                let written = FHIRXML.write(parsed.root, pretty: pretty)
                let reread = try FHIRXML.read(written)
                #expect(reread.root == parsed.root, "\(example.name) pretty=\(pretty)")
                #expect(!reread.issues.hasErrors, "\(example.name): \(reread.issues)")
                #expect(FHIRXML.write(reread.root, pretty: pretty) == written, "\(example.name) pretty=\(pretty)")
            }
        }
    }
}

extension XMLExampleTests {
    @Test func everyExampleNarrativePassesTheNarrativeRules() throws {
        func visit(_ node: Element, in name: String) {
            if node.type == "xhtml", let markup = node.value {
                let issues = XHTMLNarrative.issues(markup: markup, path: "div", at: node.location)
                #expect(issues.isEmpty, "\(name) \(node.location): \(issues)")
            }
            for child in node.children { visit(child, in: name) }
        }
        for example in try ExampleCorpus.xmlExamples() {
            visit(try FHIRXML.read(example.bytes).root, in: example.name)
        }
    }
}
