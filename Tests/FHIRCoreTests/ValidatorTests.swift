import Testing

@testable import FHIRCore

@Suite struct ValidatorTests {
    typealias T = ValidationTrees

    /// A minimal valid ServiceRequest with extra children spliced in before `status` and after `subject`.
    func serviceRequest(before: [Element] = [], after: [Element] = []) -> Element {
        T.resource(
            "ServiceRequest",
            [T.node("id", "id", "sr-1")] + before + [
                T.node("status", "code", "active"), T.node("intent", "code", "order"),
                T.reference("subject", "Patient/1"),
            ] + after
        )
    }

    func errors(_ tree: Element) -> [FHIRCore.Issue] { Validator.validate(tree).errors }

    // MARK: Cardinality

    @Test func missingRequiredElementIsReportedAtItsPath() throws {
        let tree = T.resource(
            "ServiceRequest",
            [T.node("id", "id", "x", []), T.node("intent", "code", "order")]
        )
        let issues = Validator.validate(tree).issues
        #expect(issues.map(\.path) == ["ServiceRequest.status", "ServiceRequest.subject"])
        #expect(issues.allSatisfy { $0.severity == .error && $0.code == .required })
        #expect(issues[0].message.contains("status"))
    }

    @Test func missingRequiredChoiceIsNamedWithX() throws {
        let input = T.node(
            "input",
            "Task.Input",
            nil,
            [T.node("type", "CodeableConcept", nil, [T.node("text", "string", "n")])]
        )
        let tree = T.resource(
            "Task",
            [T.node("status", "code", "draft"), T.node("intent", "code", "order"), input]
        )
        let issue = try #require(self.errors(tree).first)
        #expect(issue.path == "Task.input[0].value")
        #expect(issue.message.contains("value[x]"))
    }

    @Test func tooManyOccurrencesOfASingleElementIsStructureError() throws {
        let tree = self.serviceRequest(after: [
            T.node("authoredOn", "dateTime", "2024"), T.node("authoredOn", "dateTime", "2025"),
        ])
        let issue = try #require(self.errors(tree).first)
        #expect(issue.code == .structure)
        #expect(issue.path == "ServiceRequest.authoredOn")
        #expect(issue.message.contains("occurs 2 times; at most 1"))
    }

    @Test func cardinalityIsCheckedInsideContainedAndEntryResources() throws {
        let contained = T.node(
            "contained",
            "ServiceRequest",
            nil,
            [T.node("id", "id", "c1"), T.node("intent", "code", "order")]
        )
        let tree = self.serviceRequest(before: [contained])
        let paths = self.errors(tree).map(\.path)
        #expect(paths == ["ServiceRequest.contained[0].status", "ServiceRequest.contained[0].subject"])

        let bundle = T.resource(
            "Bundle",
            [
                T.node("type", "code", "collection"),
                T.node(
                    "entry",
                    "Bundle.Entry",
                    nil,
                    [T.node("resource", "Task", nil, [T.node("status", "code", "draft")])]
                ),
            ]
        )
        #expect(self.errors(bundle).map(\.path) == ["Bundle.entry[0].resource.intent"])
    }

    @Test func twoValuesForOneChoiceElementAreNamedByWireName() throws {
        let ext = T.node(
            "extension",
            "Extension",
            nil,
            [
                T.node("url", "uri", "http://example.org/x"), T.node("value", "string", "a"),
                T.node("value", "boolean", "true"),
            ]
        )
        let issue = try #require(self.errors(self.serviceRequest(before: [ext])).first)
        #expect(issue.code == .structure)
        #expect(issue.path == "ServiceRequest.extension[0].value")
        #expect(issue.message.contains("has two values: valueString and valueBoolean"))
    }

    @Test func unknownElementInHandBuiltTreeIsStructureError() throws {
        let issue = try #require(
            self.errors(self.serviceRequest(after: [T.node("colour", "string", "red")])).first
        )
        #expect(issue.code == .structure && issue.path == "ServiceRequest.colour")
    }

    // MARK: Types

    @Test func typeOutsideTheDefinitionIsRejected() throws {
        let issue = try #require(
            self.errors(self.serviceRequest(after: [T.node("authoredOn", "date", "2024-01-01")])).first
        )
        #expect(issue.code == .structure)
        #expect(issue.message.contains("'date'") && issue.message.contains("expected dateTime"))
    }

    @Test func resourcePositionsAcceptAnyConcreteResourceOnly() throws {
        let good = self.serviceRequest(before: [
            T.node("contained", "Patient", nil, [T.node("id", "id", "p")])
        ])
        #expect(self.errors(good).isEmpty)
        let abstract = self.serviceRequest(before: [
            T.node("contained", "DomainResource", nil, [T.node("id", "id", "p")])
        ])
        let issue = try #require(self.errors(abstract).first)
        #expect(
            issue.path == "ServiceRequest.contained[0]" && issue.message.contains("a resource type")
        )
    }

    @Test func rootMustBeAResource() {
        let issues = self.errors(
            T.node("HumanName", "HumanName", nil, [T.node("family", "string", "X")])
        )
        #expect(issues.map(\.code) == [.notSupported])
    }

    // MARK: Primitives and bindings

    @Test(arguments: [
        ("authoredOn", "dateTime", "2024-05-06T10:20:30", "ServiceRequest.authoredOn"),
        ("doNotPerform", "boolean", "yes", "ServiceRequest.doNotPerform"),
        ("instantiatesUri", "uri", "http://a b", "ServiceRequest.instantiatesUri[0]"),
    ])
    func malformedPrimitiveNamesExpectedForm(
        name: String,
        type: String,
        value: String,
        path: String
    )
        throws
    {
        let tree = self.serviceRequest(after: [T.node(name, type, value)])
        let issue = try #require(self.errors(tree).first)
        #expect(issue.code == .value && issue.path == path)
        #expect(issue.message.contains(value) && issue.message.contains("expected"))
    }

    @Test func decimalBeyondEighteenDigitsIsAWarning() throws {
        let quantity = T.node(
            "quantity",
            "Quantity",
            nil,
            [T.node("value", "decimal", "1.2345678901234567890")]
        )
        let issues = Validator.validate(self.serviceRequest(after: [])).issues
        #expect(issues.isEmpty)
        let tree = T.resource(
            "ServiceRequest",
            self.serviceRequest().children.prefix(3) + [quantity] + [T.reference("subject", "Patient/1")]
        )
        let issue = try #require(Validator.validate(tree).issues.first)
        #expect(issue.severity == .warning && issue.path == "ServiceRequest.quantity.value")
    }

    @Test(arguments: [
        ("ServiceRequest", "status", "activ"), ("ServiceRequest", "intent", "wish"),
        ("CarePlan", "status", "open"), ("CarePlan", "intent", "order-set"),
        ("Task", "status", "active"), ("Task", "intent", "wish"),
    ])
    func unknownCodeInRequiredBindingIsCodeInvalid(type: String, element: String, code: String) throws {
        var tree =
            switch type {
            case "ServiceRequest": T.serviceRequest
            case "CarePlan": T.carePlan
            default: T.task
            }
        let index = try #require(tree.children.firstIndex { $0.name == element })
        tree.children[index].value = code
        let issues = self.errors(tree)
        #expect(issues.count == 1)
        let issue = try #require(issues.first)
        #expect(issue.code == .codeInvalid && issue.path == "\(type).\(element)")
        #expect(issue.message.contains("'\(code)'") && issue.message.contains("expected one of"))
    }

    // MARK: Empty elements

    @Test func emptyComplexElementIsRequiredError() throws {
        let issue = try #require(
            self.errors(self.serviceRequest(after: [T.node("encounter", "Reference")])).first
        )
        #expect(issue.path == "ServiceRequest.encounter" && issue.code == .required)
        #expect(issue.message.contains("Element must have a value or children"))
    }

    @Test func primitiveWithoutValueOrExtensionIsError() throws {
        let issue = try #require(
            self.errors(self.serviceRequest(after: [T.node("authoredOn", "dateTime")])).first
        )
        #expect(
            issue.code == .required && issue.message.contains("Element must have a value or children")
        )
    }

    @Test func primitiveWithOnlyAnExtensionIsValid() {
        let absent = T.node(
            "extension",
            "Extension",
            nil,
            [
                T.node("url", "uri", "http://hl7.org/fhir/StructureDefinition/data-absent-reason"),
                T.node("value", "code", "unknown"),
            ]
        )
        #expect(
            self.errors(self.serviceRequest(after: [T.node("authoredOn", "dateTime", nil, [absent])]))
                .isEmpty
        )
    }

    @Test func emptyStringValueIsInvalid() throws {
        let issue = try #require(
            self.errors(self.serviceRequest(after: [T.node("authoredOn", "dateTime", "")])).first
        )
        #expect(
            issue.code == .invalid && issue.message.contains("Element must have a value or children")
        )
    }

    // MARK: Extensions, contained, references

    @Test func extensionNeedsURLAndExactlyOneOfValueOrExtensions() {
        let noURL = T.node("extension", "Extension", nil, [T.node("value", "string", "a")])
        #expect(
            self.errors(self.serviceRequest(before: [noURL])).map(\.path) == [
                "ServiceRequest.extension[0].url"
            ]
        )

        let url = T.node("url", "uri", "http://example.org/x")
        let neither = T.node("extension", "Extension", nil, [url])
        #expect(
            self.errors(self.serviceRequest(before: [neither])).first?.message.contains("found neither")
                == true
        )

        let nested = T.node("extension", "Extension", nil, [url, T.node("value", "string", "b")])
        let both = T.node("extension", "Extension", nil, [nested, url, T.node("value", "string", "a")])
        let issue = self.errors(self.serviceRequest(before: [both])).first
        #expect(issue?.code == .structure && issue?.message.contains("not both") == true)
    }

    @Test func containedResourceNeedsIDAndCannotNest() {
        let inner = T.node("contained", "Patient", nil, [T.node("id", "id", "q")])
        let outer = T.node("contained", "Patient", nil, [inner, T.node("gender", "code", "female")])
        let issues = self.errors(self.serviceRequest(before: [outer]))
        #expect(
            issues.map(\.path) == [
                "ServiceRequest.contained[0].id", "ServiceRequest.contained[0].contained[0]",
            ]
        )
        #expect(issues.map(\.code) == [.required, .structure])
    }

    @Test func whitespaceReferenceIsRejected() throws {
        let tree = T.resource(
            "ServiceRequest",
            [
                T.node("status", "code", "active"), T.node("intent", "code", "order"),
                T.reference("subject", "   "),
            ]
        )
        let issue = try #require(self.errors(tree).first)
        #expect(
            issue.path == "ServiceRequest.subject.reference"
                && issue.message.contains("must not be empty")
        )
    }

    @Test func bundleFullURLMismatchIsOnlyAWarning() throws {
        func bundle(_ fullURL: String) -> Element {
            T.resource(
                "Bundle",
                [
                    T.node("type", "code", "collection"),
                    T.node(
                        "entry",
                        "Bundle.Entry",
                        nil,
                        [
                            T.node("fullUrl", "uri", fullURL),
                            T.node(
                                "resource",
                                "Task",
                                nil,
                                [
                                    T.node("id", "id", "t1"), T.node("status", "code", "draft"),
                                    T.node("intent", "code", "order"),
                                ]
                            ),
                        ]
                    ),
                ]
            )
        }
        #expect(Validator.validate(bundle("https://x.org/fhir/Task/t1")).issues.isEmpty)
        #expect(
            Validator.validate(bundle("urn:uuid:c757873d-ec9a-4326-a141-556f43239520")).issues.isEmpty
        )
        let issue = try #require(Validator.validate(bundle("https://x.org/fhir/Task/t2")).issues.first)
        #expect(issue.severity == .warning && issue.path == "Bundle.entry[0].fullUrl")
    }

    @Test(arguments: [
        ("https://x.org/fhir/Task/t1", true), ("Task/t1", true), ("https://x.org/fhir/Task/t1/_history/3", true),
        ("https://x.org/fhir/Task/t10", false), ("https://x.org/fhir/SubTask/t1", false),
        ("https://x.org/fhir/Patient/t1", false), ("https://x.org/fhir/t1", false),
    ])
    func fullURLMatchesTypeAndIDSegments(url: String, matches: Bool) {
        #expect(Validator.Walk.url(url, endsWith: "Task", "t1") == matches)
    }

    // MARK: Narrative

    @Test(arguments: [
        (
            #"<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>"#,
            FHIRCore.Issue.Code.security
        ),
        // XHTML is case-sensitive: IFRAME is no XHTML element at all, so it is refused as foreign markup.
        (#"<div xmlns="http://www.w3.org/1999/xhtml"><IFRAME src="x"/></div>"#, .value),
        (#"<div xmlns="http://www.w3.org/1999/xhtml"><img src="a" onerror="x()"/></div>"#, .security),
        (#"<div xmlns="http://www.w3.org/1999/xhtml"><a href="JavaScript:x()">a</a></div>"#, .security),
        (#"<div xmlns="http://www.w3.org/1999/xhtml"><h:style xmlns:h="x"/></div>"#, .value),
        (#"<div xmlns="http://www.w3.org/1999/xhtml"><style>p{}</style></div>"#, .security),
        (#"<div><p>no namespace</p></div>"#, .value),
        (#"<p xmlns="http://www.w3.org/1999/xhtml">not a div</p>"#, .value),
    ])
    func unsafeOrMalformedNarrativeIsRejected(div: String, code: FHIRCore.Issue.Code) throws {
        let issue = try #require(self.errors(self.serviceRequest(before: [T.narrative(div)])).first)
        #expect(issue.code == code && issue.path == "ServiceRequest.text.div")
    }

    @Test func narrativeTextMentioningEventWordsIsAccepted() {
        let div =
            #"<div xmlns="http://www.w3.org/1999/xhtml"><p>Result one=two, carry on; the form of a script</p></div>"#
        #expect(self.errors(self.serviceRequest(before: [T.narrative(div)])).isEmpty)
    }

    @Test func narrativeDivMayFollowWhitespaceButMustBeADivElement() {
        let spaced = "\n  " + T.safeDiv
        #expect(self.errors(self.serviceRequest(before: [T.narrative(spaced)])).isEmpty)
        let divider = #"<divider xmlns="http://www.w3.org/1999/xhtml"/>"#
        #expect(self.errors(self.serviceRequest(before: [T.narrative(divider)])).map(\.code).first == .value)
        #expect(self.errors(self.serviceRequest(before: [T.narrative("")])).map(\.code) == [.required])
    }

    // MARK: Paths, locations, order

    @Test func pathsIndexOnlyRepeatingElements() throws {
        let name = T.node(
            "name",
            "HumanName",
            nil,
            [T.node("given", "string", "A"), T.node("given", "string", "bad\u{01}")]
        )
        let tree = T.resource(
            "Patient",
            [T.node("name", "HumanName", nil, [T.node("family", "string", "X")]), name]
        )
        let issue = try #require(self.errors(tree).first)
        #expect(issue.path == "Patient.name[1].given[1]")
        #expect(issue.message.contains("\\u{1}"))
    }

    @Test func issuesCarryTheNodeLocationAndComeInDefinitionOrder() throws {
        let tree = T.resource(
            "ServiceRequest",
            [
                T.node("status", "code", line: 4, "bogus"),
                T.node("authoredOn", "dateTime", line: 9, "yesterday"),
            ]
        )
        let issues = self.errors(tree)
        #expect(
            issues.map(\.path) == [
                "ServiceRequest.status", "ServiceRequest.intent", "ServiceRequest.subject",
                "ServiceRequest.authoredOn",
            ]
        )
        #expect(issues[0].location.line == 4 && issues[3].location.line == 9)
    }

    @Test func readerIssuesComeFirst() {
        let readerIssue = FHIRCore.Issue(
            .warning,
            .structure,
            path: "ServiceRequest.colour",
            "Unknown element"
        )
        let parsed = ParsedResource(
            root: T.resource("ServiceRequest", []),
            issues: Outcome([readerIssue])
        )
        let outcome = Validator.validate(parsed)
        #expect(outcome.issues.first == readerIssue)
        #expect(outcome.issues.count == 4)
    }

    @Test func overlyDeepTreeIsReportedNotRecursedForever() {
        var extensionNode = T.node(
            "extension",
            "Extension",
            nil,
            [T.node("url", "uri", "u"), T.node("value", "string", "v")]
        )
        for _ in 0..<200 {
            extensionNode = T.node(
                "extension",
                "Extension",
                nil,
                [extensionNode, T.node("url", "uri", "u")]
            )
        }
        let issues = self.errors(self.serviceRequest(before: [extensionNode]))
        #expect(issues.map(\.code) == [.tooCostly])
    }
}
