import CoManagement
import FHIRCore
import Foundation
import Testing

/// What `tandem mappings check` reports about trigger ValueSets and the SNOMED CT hierarchy file.
@Suite struct TriggerValueSetLoadingTests {
    static let path = "value-sets/test.json"

    /// A ValueSet around one include or exclude.
    static func valueSet(_ compose: String) -> String {
        #"""
        { "resourceType": "ValueSet", "url": "http://tandem.example.org/fhir/ValueSet/test", "status": "active",
          "compose": \#(compose) }
        """#
    }

    func problems(_ files: [MappingFile]) -> [MappingProblem] {
        do {
            return try MappingSet.load(files: files).warnings
        } catch {
            return error.problems
        }
    }

    @Test(arguments: [
        (
            #"{ "include": [{ "system": "http://snomed.info/sct/", "concept": [{ "code": "193570009" }] }] }"#,
            "did you mean"
        ),
        (
            #"{ "include": [{ "system": "http://example.org/x", "filter": [{ "property": "concept", "op": "is-a", "value": "A" }] }] }"#,
            "cannot be filtered"
        ),
        (
            #"{ "include": [{ "system": "http://www.ama-assn.org/go/cpt", "filter": [{ "property": "concept", "op": "is-a", "value": "66984" }] }] }"#,
            "no hierarchy"
        ),
        (
            #"{ "include": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "filter": [{ "property": "concept", "op": "regex", "value": "H25" }] }] }"#,
            "only 'is-a' and 'descendent-of'"
        ),
        (
            #"{ "include": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "filter": [{ "property": "parent", "op": "is-a", "value": "H25" }] }] }"#,
            "only 'concept'"
        ),
        (
            #"{ "include": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "filter": [{ "property": "concept", "op": "is-a", "value": "H2" }] }] }"#,
            "not a code of ICD-10-CM"
        ),
        (
            #"{ "include": [{ "system": "http://snomed.info/sct", "concept": [{ "code": "193570008" }] }] }"#,
            "not a code of SNOMED CT"
        ),
        (
            #"{ "include": [{ "system": "http://www.ama-assn.org/go/cpt", "concept": [{ "code": "6698" }] }] }"#,
            "not a code of CPT"
        ),
        (
            #"{ "include": [{ "system": "http://snomed.info/sct", "filter": [{ "property": "concept", "op": "is-a", "value": "404684003" }] }] }"#,
            "not in snomed-ct-hierarchy.json"
        ),
        (#"{ "include": [{ "valueSet": ["http://example.org/other"] }] }"#, "not supported"),
    ])
    func badValueSetIsAnError(compose: String, message: String) throws {
        let files = try MappingFixtures.replacing(Self.path, with: Self.valueSet(compose))
        let problem = self.problems(files).first { $0.file == Self.path && $0.message.contains(message) }
        #expect(problem?.severity == .error, "\(self.problems(files))")
        #expect((problem?.line ?? 0) > 0)
    }

    @Test func unknownLocalSystemListedByConceptIsOnlyAWarning() throws {
        let compose = #"{ "include": [{ "system": "http://example.org/local", "concept": [{ "code": "X1" }] }] }"#
        let mappings = try MappingSet.load(files: MappingFixtures.replacing(Self.path, with: Self.valueSet(compose)))
        #expect(mappings.warnings.contains { $0.file == Self.path && $0.message.contains("match exactly") })
        #expect(mappings.warnings.contains { $0.file == Self.path && $0.message.contains("named by no service line") })
    }

    @Test func invalidValueSetResourceIsAnError() throws {
        let text =
            #"{ "resourceType": "ValueSet", "url": "http://tandem.example.org/fhir/ValueSet/test", "compose": {} }"#
        let problems = self.problems(try MappingFixtures.replacing(Self.path, with: text))
        #expect(problems.contains { $0.file == Self.path && $0.severity == .error && $0.message.contains("status") })
    }

    @Test func triggerNamingNoValueSetIsAnError() throws {
        let path = "service-lines/ophthalmology.cataract.json"
        let broken = try MappingFixtures.text(of: path)
            .replacingOccurrences(of: "ophthalmology.cataract.services\"", with: "ophthalmology.cataract.service\"")
        let problem = self.problems(try MappingFixtures.replacing(path, with: broken))
            .first { $0.file == path && $0.message.contains("no ValueSet") }
        #expect(problem?.severity == .error && problem?.line == 7)
    }

    @Test func hierarchyCycleIsRefused() throws {
        let text = try MappingFixtures.text(of: "snomed-ct-hierarchy.json")
            .replacingOccurrences(
                of: #"{"id": "73211009", "display": "Diabetes mellitus", "parents": []"#,
                with: #"{"id": "73211009", "display": "Diabetes mellitus", "parents": ["44054006"]"#
            )
        let problems = self.problems(try MappingFixtures.replacing("snomed-ct-hierarchy.json", with: text))
        let cycle = problems.first { $0.message.contains("cycle") }
        #expect(cycle?.severity == .error && cycle?.file == "snomed-ct-hierarchy.json", "\(problems)")
        #expect(cycle?.message.contains("73211009") == true)
    }

    @Test(arguments: [
        (
            #"{"id": "73211009", "display": "Diabetes mellitus", "parents": []"#,
            #"{"id": "73211009", "display": "Diabetes mellitus", "parents": ["362969004"]"#,
            "parent 362969004 of concept 73211009 is not in the file"
        ),
        (#"{"id": "84114007""#, #"{"id": "84114008""#, "'84114008' is not a SNOMED CT concept id"),
    ])
    func hierarchyEntryThatCannotBeTrustedIsAnError(entry: String, replacement: String, message: String) throws {
        let text = try MappingFixtures.text(of: "snomed-ct-hierarchy.json")
            .replacingOccurrences(of: entry, with: replacement)
        let problems = self.problems(try MappingFixtures.replacing("snomed-ct-hierarchy.json", with: text))
        #expect(problems.contains { $0.severity == .error && $0.message.contains(message) }, "\(problems)")
    }

    @Test func shippedValueSetsAndHierarchyLoad() throws {
        let mappings = try MappingFixtures.shipped()
        #expect(mappings.hierarchy.concepts.count > 500)
        #expect(mappings.hierarchy.cycle() == nil)
        #expect(mappings.valueSets.count == 15)
    }
}
