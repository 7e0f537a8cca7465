import Testing

@testable import FHIRCore

@Suite struct OperationOutcomeResourceTests {
    let sample = Outcome([
        FHIRCore.Issue(
            .error,
            .required,
            path: "ServiceRequest.status",
            "Missing required element 'status'",
            at: SourceLocation(line: 12, column: 5)
        ),
        FHIRCore.Issue(.warning, .value, path: nil, "Whole-message warning"),
    ])

    @Test func issuesRenderInDefinitionOrderWithLocationExtensions() throws {
        let resource = self.sample.resource
        #expect(resource.name == "OperationOutcome" && resource.type == "OperationOutcome")
        let issues = resource.children(named: "issue")
        #expect(issues.count == 2)
        let first = try #require(issues.first)
        #expect(first.type == "OperationOutcome.Issue")
        #expect(
            first.children.map(\.name) == [
                "extension", "extension", "severity", "code", "diagnostics", "expression",
            ]
        )
        #expect(first.string("severity") == "error")
        #expect(first.string("code") == "required")
        #expect(first.string("diagnostics") == "Missing required element 'status'")
        #expect(first.string("expression") == "ServiceRequest.status")
        let extensions = first.children(named: "extension")
        #expect(
            extensions.map { $0.string("url") } == [Outcome.lineExtensionURL, Outcome.columnExtensionURL]
        )
        #expect(extensions.map { $0.string("value") } == ["12", "5"])
        #expect(extensions.allSatisfy { $0.child("value")?.type == "integer" })
    }

    @Test func issueWithoutPathOrLocationHasOnlySeverityCodeAndDiagnostics() throws {
        let second = try #require(self.sample.resource.children(named: "issue").last)
        #expect(second.children.map(\.name) == ["severity", "code", "diagnostics"])
        #expect(second.string("code") == "value")
    }

    @Test func emptyOutcomeRendersOneInformationalIssue() throws {
        let issue = try #require(Outcome().resource.children(named: "issue").first)
        #expect(Outcome().resource.children.count == 1)
        #expect(issue.string("severity") == "information")
        #expect(issue.string("code") == "informational")
        #expect(issue.string("diagnostics") == "No issues detected")
    }

    @Test func renderedOperationOutcomePassesOurOwnValidator() {
        for outcome in [self.sample, Outcome()] {
            let result = Validator.validate(outcome.resource)
            #expect(result.issues.isEmpty, "\(result)")
        }
    }

    @Test func validatorFindingsRoundTripIntoAValidOperationOutcome() {
        let broken = Element(
            name: "Task",
            type: "Task",
            children: [
                Element(
                    name: "status",
                    type: "code",
                    value: "bogus",
                    location: SourceLocation(line: 3, column: 7)
                )
            ]
        )
        let outcome = Validator.validate(broken)
        #expect(outcome.issues.count == 2)
        #expect(Validator.validate(outcome.resource).issues.isEmpty)
    }
}
