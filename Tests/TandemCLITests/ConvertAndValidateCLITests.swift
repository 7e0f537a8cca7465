import Foundation
import Testing

/// `tandem convert` and `tandem validate` behave as the FHIR core issue specifies: output on stdout and exit
/// 0 for good input; the OperationOutcome and exit 1 for bad input.
@Suite struct ConvertAndValidateCLITests {
    static let patientJSON = Array(
        #"{"resourceType":"Patient","id":"p1","birthDate":"1974-12-25","_birthDate":{"extension":[{"url":"http://example.org/x","valueString":"estimated"}]},"name":[{"given":["Ada",null],"_given":[null,{"id":"g2"}]}]}"#
            .utf8
    )
    static let invalidServiceRequest = Array(
        #"{"resourceType":"ServiceRequest","status":"bogus","intent":"order","subject":{"reference":"Patient/1"}}"#.utf8
    )

    @Test func convertJSONFromStandardInputToXML() throws {
        let result = try CLIRunner.run(["convert", "--to", "xml", "-"], input: Self.patientJSON)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains(#"<Patient xmlns="http://hl7.org/fhir">"#))
        #expect(result.standardOutput.contains(#"<birthDate value="1974-12-25">"#))
        #expect(result.standardOutput.contains(#"<given id="g2"/>"#))
    }

    @Test func convertRecognisesXMLAndWritesJSONThatReadsBackTheSame() throws {
        let xml = try CLIRunner.run(["convert", "--to", "xml", "--compact", "-"], input: Self.patientJSON)
        let json = try CLIRunner.run(
            ["convert", "--to", "json", "--compact", "-"],
            input: Array(xml.standardOutput.utf8)
        )
        #expect(json.status == 0)
        let back = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Data(Self.patientJSON)) as? NSDictionary
        #expect(back == original)
    }

    @Test func convertOfInvalidInputPrintsTheOutcomeToStandardErrorAndExitsOne() throws {
        let result = try CLIRunner.run(["convert", "--to", "xml", "-"], input: Self.invalidServiceRequest)
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains(#""resourceType": "OperationOutcome""#))
        #expect(result.standardError.contains("ServiceRequest.status"))
    }

    @Test func convertOfMalformedInputReportsThePosition() throws {
        let result = try CLIRunner.run(
            ["convert", "--to", "json", "-"],
            input: Array("<Patient xmlns=\"http://hl7.org/fhir\">\n<id value=\"x\">".utf8)
        )
        #expect(result.status == 1)
        #expect(result.standardError.contains("operationoutcome-issue-line"))
        #expect(result.standardError.contains(#""severity": "fatal""#))
    }

    @Test func validateExitsZeroWithoutErrors() throws {
        let result = try CLIRunner.run(["validate", "-"], input: Self.patientJSON)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("No issues detected"))
    }

    @Test func validateExitsOneOnErrorAndCanAnswerInXML() throws {
        let result = try CLIRunner.run(["validate", "--format", "xml", "-"], input: Self.invalidServiceRequest)
        #expect(result.status == 1)
        #expect(result.standardOutput.contains(#"<OperationOutcome xmlns="http://hl7.org/fhir">"#))
        #expect(result.standardOutput.contains(#"<code value="code-invalid"/>"#))
    }

    @Test func aMissingFileIsAUsageError() throws {
        let result = try CLIRunner.run(["validate", "/nonexistent/file.json"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("Cannot read"))
    }
}
