import Testing

@testable import FHIRCore

@Suite struct XMLNarrativeTests {
    private let location = SourceLocation(line: 7, column: 5)

    private func issues(_ markup: String) -> [FHIRCore.Issue] {
        XHTMLNarrative.issues(markup: markup, path: "Patient.text.div", at: self.location)
    }

    @Test func safeMarkupHasNoIssues() {
        let markup = """
            <div xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><p class="x" style="color: red">Peter <b>James</b></p>\
            <table border="1"><tr><td colspan="2"><a href="http://example.org/">link</a></td></tr></table>\
            <img src="#pic" alt="pic"/></div>
            """
        #expect(self.issues(markup).isEmpty)
    }

    @Test func scriptIsASecurityIssue() throws {
        let issues = self.issues(#"<div xmlns="http://www.w3.org/1999/xhtml"><p>x</p><script>alert(1)</script></div>"#)
        let issue = try #require(issues.first)
        #expect(issues.count == 1)
        #expect(issue.severity == .error && issue.code == .security)
        #expect(issue.path == "Patient.text.div" && issue.location == self.location)
    }

    @Test func eventAttributeIsASecurityIssue() {
        let issues = self.issues(#"<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="alert(1)">x</p></div>"#)
        #expect(issues.map(\.code) == [.security])
    }

    @Test func javascriptURLIsASecurityIssue() {
        let issues = self.issues(
            #"<div xmlns="http://www.w3.org/1999/xhtml"><a href=" JavaScript&#10;:alert(1)">x</a></div>"#
        )
        #expect(issues.map(\.code) == [.security])
    }

    @Test(arguments: ["iframe", "object", "embed", "form", "input"])
    func activeContentIsASecurityIssue(_ element: String) {
        let issues = self.issues(#"<div xmlns="http://www.w3.org/1999/xhtml"><p>x</p><\#(element)/></div>"#)
        #expect(issues.map(\.code) == [.security])
    }

    @Test func missingNamespaceIsAValueIssue() {
        let issues = self.issues("<div><p>x</p></div>")
        #expect(!issues.isEmpty)
        #expect(issues.allSatisfy { $0.code == .value })
    }

    @Test func headAndBodyAreNotAllowed() {
        let issues = self.issues(#"<div xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></div>"#)
        #expect(issues.map(\.code) == [.value])
    }

    @Test func doctypeAndEntitiesAreRefused() {
        let issues = self.issues(
            #"<!DOCTYPE div [<!ENTITY x SYSTEM "file:///etc/passwd">]><div xmlns="http://www.w3.org/1999/xhtml">&x;</div>"#
        )
        #expect(issues.map(\.code) == [.security])
    }

    @Test func malformedAndEmptyMarkupAreValueIssues() {
        #expect(self.issues(#"<div xmlns="http://www.w3.org/1999/xhtml"><p>x</div>"#).map(\.code) == [.value])
        #expect(self.issues("").map(\.code) == [.value])
        #expect(self.issues(#"<div xmlns="http://www.w3.org/1999/xhtml">  </div>"#).map(\.code) == [.value])
    }
}
