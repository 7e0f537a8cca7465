import CoManagement
import FHIRCore
import Testing

/// The shipped trigger ValueSets: a code of each family triggers its service line, the edges of each
/// block do too, and what the blocks leave out does not.
@Suite struct TriggerCoverageTests {
    static let icd10CM = "http://hl7.org/fhir/sid/icd-10-cm"
    static let icd10 = "http://hl7.org/fhir/sid/icd-10"
    static let snomed = "http://snomed.info/sct"
    static let cpt = "http://www.ama-assn.org/go/cpt"
    static let hcpcs = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"

    let mappings: MappingSet

    init() throws {
        self.mappings = try MappingFixtures.shipped()
    }

    func lines(_ system: String, _ code: String) -> [String] {
        self.mappings.serviceLines(triggeredBy: [Coding(system: system, code: code)]).map(\.id)
    }

    @Test(arguments: [
        // ICD-10-CM: every category family, and subcodes several levels down.
        (icd10CM, "H25.13", "ophthalmology.cataract"), (icd10CM, "H26.9", "ophthalmology.cataract"),
        (icd10CM, "H26.491", "ophthalmology.cataract"), (icd10CM, "H28", "ophthalmology.cataract"),
        (icd10CM, "Q12.0", "ophthalmology.cataract"), (icd10CM, "h2513", "ophthalmology.cataract"),
        (icd10CM, "S72.001A", "orthopedics.hip-fracture"), (icd10CM, "S72.141A", "orthopedics.hip-fracture"),
        (icd10CM, "S72.26XA", "orthopedics.hip-fracture"), (icd10CM, "M80.051A", "orthopedics.hip-fracture"),
        (icd10CM, "M84.451A", "orthopedics.hip-fracture"), (icd10CM, "M97.01XA", "orthopedics.hip-fracture"),
        (icd10CM, "E08.65", "endocrinology.diabetes"), (icd10CM, "E09.9", "endocrinology.diabetes"),
        (icd10CM, "E10.9", "endocrinology.diabetes"), (icd10CM, "E11.22", "endocrinology.diabetes"),
        (icd10CM, "E11.3553", "endocrinology.diabetes"), (icd10CM, "E13.10", "endocrinology.diabetes"),
        (icd10CM, "I50.22", "cardiology.service-line"), (icd10CM, "I48.91", "cardiology.service-line"),
        (icd10CM, "I21.4", "cardiology.service-line"), (icd10CM, "I25.10", "cardiology.service-line"),
        (icd10CM, "I35.0", "cardiology.service-line"), (icd10CM, "I11.0", "cardiology.service-line"),
        (icd10CM, "I42.0", "cardiology.service-line"), (icd10CM, "I49.5", "cardiology.service-line"),
        (icd10CM, "F32.9", "behavioral-health.integrated"), (icd10CM, "F32.A", "behavioral-health.integrated"),
        (icd10CM, "F33.1", "behavioral-health.integrated"), (icd10CM, "F41.1", "behavioral-health.integrated"),
        (icd10CM, "F43.10", "behavioral-health.integrated"), (icd10CM, "F34.1", "behavioral-health.integrated"),
        // WHO ICD-10.
        (icd10, "H25.1", "ophthalmology.cataract"), (icd10, "E14.9", "endocrinology.diabetes"),
        (icd10, "S72.0", "orthopedics.hip-fracture"), (icd10, "F32.2", "behavioral-health.integrated"),
        // CPT blocks at their edges, HCPCS.
        (cpt, "66830", "ophthalmology.cataract"), (cpt, "66940", "ophthalmology.cataract"),
        (cpt, "66982", "ophthalmology.cataract"), (cpt, "66991", "ophthalmology.cataract"),
        (cpt, "27230", "orthopedics.hip-fracture"), (cpt, "27248", "orthopedics.hip-fracture"),
        (cpt, "27269", "orthopedics.hip-fracture"), (cpt, "93451", "cardiology.service-line"),
        (cpt, "93461", "cardiology.service-line"), (cpt, "33361", "cardiology.service-line"),
        (cpt, "33366", "cardiology.service-line"), (cpt, "92920", "cardiology.service-line"),
        (cpt, "99492", "behavioral-health.integrated"), (cpt, "99494", "behavioral-health.integrated"),
        (hcpcs, "G0108", "endocrinology.diabetes"), (hcpcs, "C9600", "cardiology.service-line"),
        (hcpcs, "G2214", "behavioral-health.integrated"),
        // SNOMED CT: the branch tops and descendants one and two levels down the hierarchy file.
        (snomed, "193570009", "ophthalmology.cataract"), (snomed, "110473004", "ophthalmology.cataract"),
        (snomed, "415089008", "ophthalmology.cataract"), (snomed, "5913000", "orthopedics.hip-fracture"),
        (snomed, "263226008", "orthopedics.hip-fracture"), (snomed, "44054006", "endocrinology.diabetes"),
        (snomed, "84114007", "cardiology.service-line"), (snomed, "49436004", "cardiology.service-line"),
        (snomed, "35489007", "behavioral-health.integrated"), (snomed, "21897009", "behavioral-health.integrated"),
    ])
    func codeOfEachFamilyTriggersItsServiceLine(system: String, code: String, line: String) {
        #expect(self.lines(system, code) == [line])
    }

    @Test(arguments: [
        // Not the procedure: secondary IOL, IOL exchange, the endoscope add-on; outside the blocks.
        (cpt, "66985"), (cpt, "66986"), (cpt, "66990"), (cpt, "66821"), (cpt, "66992"), (cpt, "27130"),
        (cpt, "93462"), (cpt, "33367"), (cpt, "93320"),
        // Outside the families: the next category, a pelvic fracture, hypertension, bipolar disorder.
        (icd10CM, "H27.0"), (icd10CM, "S72.3"), (icd10CM, "S72.301A"), (icd10CM, "M84.350A"), (icd10CM, "M84.454A"),
        (icd10CM, "I10"),
        (icd10CM, "F31.9"), (icd10CM, "E16.2"), (icd10CM, "O24.410"),
        // The referral category every sample carries; a code in no file; another system's spelling.
        (snomed, "3457005"), (snomed, "404684003"), ("http://snomed.info/sct/", "193570009"),
    ])
    func codesOutsideTheFamiliesTriggerNothing(system: String, code: String) {
        #expect(self.lines(system, code).isEmpty)
    }

    @Test func snomedDescendantsTwoLevelsDownAreFoundThroughTheHierarchy() throws {
        let type2 = try #require(
            self.mappings.hierarchy.concepts.values.first { $0.parents == ["44054006"] && $0.id != "44054006" }
        )
        #expect(self.mappings.hierarchy.isDescendant(type2.id, of: "73211009"))
        #expect(self.lines(Self.snomed, type2.id) == ["endocrinology.diabetes"])
    }

    @Test func excludedCodeIsExplainedByTheExcludeRule() {
        let explanation = self.mappings.explain(Coding(system: Self.cpt, code: "66986"))
        #expect(explanation.matches.isEmpty)
        let exclusion = explanation.exclusions.first
        #expect(exclusion?.serviceLine == "ophthalmology.cataract")
        #expect(exclusion?.valueSet == "http://tandem.example.org/fhir/ValueSet/ophthalmology.cataract.services")
        #expect(exclusion?.rule == "concept 66986")
    }

    @Test func explainNamesValueSetAndRule() {
        let explanation = self.mappings.explain(Coding(system: Self.icd10CM, code: "H25.13"))
        #expect(explanation.matches.map(\.serviceLine) == ["ophthalmology.cataract"])
        #expect(explanation.matches.first?.valueSet.hasSuffix("ophthalmology.cataract.diagnoses") == true)
        #expect(explanation.matches.first?.rule == "concept is-a H25")
        #expect(explanation.matches.first?.opening == .opens)
    }

    @Test func explainFollowsConceptMapTranslations() {
        let local = Coding(system: "http://hospital.example.org/fhir/CodeSystem/service", code: "CAT-PHACO")
        let explanation = self.mappings.explain(local)
        #expect(explanation.translations.map(\.code) == ["66984"])
        #expect(explanation.matches.first?.coding.code == "66984")
    }
}
