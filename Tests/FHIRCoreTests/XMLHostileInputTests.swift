import Testing

@testable import FHIRCore

/// Reads hostile input and returns the single fatal issue it must produce.
private func fatalIssue(_ bytes: [UInt8], limits: ReadLimits = .default) -> FHIRCore.Issue? {
    do {
        let parsed = try FHIRXML.read(bytes, limits: limits)
        Testing.Issue.record("expected a fatal outcome, read \(parsed.root.name)")
        return nil
    } catch {
        #expect(error.issues.count == 1)
        #expect(error.issues.first?.severity == .fatal)
        return error.issues.first
    }
}

private func fatalIssue(_ text: String, limits: ReadLimits = .default) -> FHIRCore.Issue? {
    fatalIssue(Array(text.utf8), limits: limits)
}

@Suite struct XMLHostileInputTests {
    @Test(arguments: ["file:///etc/passwd", "http://127.0.0.1:9/evil.dtd"])
    func externalEntityIsRefused(_ target: String) throws {
        let issue = try #require(
            fatalIssue(
                """
                <?xml version="1.0"?>
                <!DOCTYPE Patient [<!ENTITY xxe SYSTEM "\(target)">]>
                <Patient xmlns="http://hl7.org/fhir"><name><text value="&xxe;"/></name></Patient>
                """
            )
        )
        #expect(issue.code == .security)
        #expect(issue.message.contains("DOCTYPE"))
        #expect(issue.location.line == 2)
    }

    @Test func externalDTDIsRefused() throws {
        let issue = try #require(
            fatalIssue(#"<!DOCTYPE Patient SYSTEM "http://127.0.0.1:9/x.dtd"><Patient xmlns="http://hl7.org/fhir"/>"#)
        )
        #expect(issue.message.contains("DOCTYPE"))
    }

    @Test func billionLaughsIsRefused() throws {
        var entities = #"<!ENTITY lol0 "lol">"#
        for level in 1...9 {
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let issue = try #require(
            fatalIssue(
                "<!DOCTYPE Patient [\(entities)]><Patient xmlns=\"http://hl7.org/fhir\"><name><text value=\"&lol9;\"/></name></Patient>"
            )
        )
        #expect(issue.code == .security)
    }

    @Test func undeclaredEntityIsNotWellFormed() throws {
        let issue = try #require(
            fatalIssue(#"<Patient xmlns="http://hl7.org/fhir"><name><text value="&xxe;"/></name></Patient>"#)
        )
        #expect(issue.code == .structure)
    }

    @Test func deepNestingHitsTheDepthLimit() throws {
        let depth = 10_000
        let text =
            #"<Patient xmlns="http://hl7.org/fhir">"# + String(repeating: "<extension>", count: depth)
            + String(repeating: "</extension>", count: depth) + "</Patient>"
        let issue = try #require(fatalIssue(text))
        #expect(issue.code == .tooCostly)
    }

    @Test func elementCountLimitIsEnforced() throws {
        let text =
            #"<Patient xmlns="http://hl7.org/fhir">"# + String(repeating: #"<active value="true"/>"#, count: 100)
            + "</Patient>"
        let issue = try #require(fatalIssue(text, limits: ReadLimits(maxElements: 50)))
        #expect(issue.code == .tooCostly)
    }

    @Test(.timeLimit(.minutes(1)))
    func hundredMegabyteBodyIsRefusedBeforeParsing() throws {
        var bytes = [UInt8](repeating: UInt8(ascii: " "), count: 100 << 20)
        bytes.replaceSubrange(0..<9, with: Array("<Patient>".utf8))
        let clock = ContinuousClock()
        let start = clock.now
        let issue = try #require(fatalIssue(bytes))
        #expect(issue.code == .tooCostly)
        #expect(clock.now - start < .milliseconds(100))
    }

    @Test func invalidUTF8IsRefused() throws {
        let bytes =
            Array(#"<Patient xmlns="http://hl7.org/fhir"><name><text value="a"#.utf8) + [0xC3, 0x28, 0xFF]
            + Array(#""/></name></Patient>"#.utf8)
        let issue = try #require(fatalIssue(bytes))
        #expect(issue.code == .invalid || issue.code == .structure)
        #expect(issue.location.line == 1)
    }

    @Test func truncatedDocumentReportsWhereItEnded() throws {
        let issue = try #require(
            fatalIssue("<Patient xmlns=\"http://hl7.org/fhir\">\n  <name>\n    <family value=\"Ch")
        )
        #expect(issue.code == .structure)
        #expect(issue.location.line == 3)
    }

    @Test func wrongRootNamespaceIsFatal() throws {
        let issue = try #require(
            fatalIssue(#"<Patient xmlns="http://hl7.org/fhir/wrong"><active value="true"/></Patient>"#)
        )
        #expect(issue.message.contains("namespace"))
        let none = try #require(fatalIssue(#"<Patient><active value="true"/></Patient>"#))
        #expect(none.message.contains("namespace"))
    }

    @Test func unknownResourceTypeIsFatal() throws {
        let issue = try #require(fatalIssue(#"<Patientx xmlns="http://hl7.org/fhir"/>"#))
        #expect(issue.message.contains("Patientx"))
    }

    @Test func emptyAndBlankInputsAreRefusedWithoutCrashing() throws {
        #expect(fatalIssue([UInt8]())?.code == .structure)
        #expect(fatalIssue("   \n")?.code == .structure)
        #expect(fatalIssue("<")?.code == .structure)
    }

    /// libxml2 reports a failure to decode the input without a parser context, and by default prints it,
    /// with the bytes, to standard error. The reader takes it as its own (the loopback server test checks
    /// that nothing reaches the log).
    @Test func inputThatCannotBeDecodedInItsDeclaredEncodingIsInvalid() throws {
        let document =
            Array(#"<?xml version="1.0" encoding="EUC-JP"?><Patient xmlns="http://hl7.org/fhir"><gender value=""#.utf8)
            + [0xFF, 0xFE, 0xFD] + Array(#""/></Patient>"#.utf8)
        let issue = try #require(fatalIssue(document))
        #expect(issue.code == .invalid)
        #expect(issue.message.contains("cannot be decoded in its declared encoding"))
        #expect(issue.location.line == 1)
    }

    @Test func childInAnotherNamespaceIsSkippedWithAnIssue() throws {
        let parsed = try readXML(
            #"<Patient xmlns="http://hl7.org/fhir" xmlns:x="urn:x"><x:active value="true"/></Patient>"#
        )
        #expect(parsed.root.children.isEmpty)
        #expect(parsed.issues.issues.count == 1)
    }
}
