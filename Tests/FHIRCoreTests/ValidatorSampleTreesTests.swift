import Testing

@testable import FHIRCore

@Suite struct ValidatorSampleTreesTests {
    @Test(arguments: ["ServiceRequest", "CarePlan", "Task"])
    func validSampleProducesNoIssues(type: String) {
        let tree =
            switch type {
            case "ServiceRequest": ValidationTrees.serviceRequest
            case "CarePlan": ValidationTrees.carePlan
            default: ValidationTrees.task
            }
        let outcome = Validator.validate(tree)
        #expect(outcome.issues.isEmpty, "\(outcome)")
    }
}

/// Hand-built trees in the readers' conventions, for the validator tests (the readers live elsewhere).
enum ValidationTrees {
    static func node(
        _ name: String,
        _ type: String,
        _ value: String? = nil,
        _ children: [Element] = []
    ) -> Element {
        Element(name: name, type: type, value: value, children: children)
    }

    static func node(
        _ name: String,
        _ type: String,
        line: Int,
        _ value: String? = nil,
        _ children: [Element] = []
    ) -> Element {
        Element(
            name: name,
            type: type,
            value: value,
            children: children,
            location: SourceLocation(line: line, column: 3)
        )
    }

    static func reference(_ name: String, _ target: String) -> Element {
        node(name, "Reference", nil, [node("reference", "string", target)])
    }

    static func concept(_ name: String, system: String, code: String) -> Element {
        node(
            name,
            "CodeableConcept",
            nil,
            [node("coding", "Coding", nil, [node("system", "uri", system), node("code", "code", code)])]
        )
    }

    static let safeDiv =
        #"<div xmlns="http://www.w3.org/1999/xhtml"><p>Referral for <b>physiotherapy</b></p></div>"#

    static func narrative(_ div: String = safeDiv) -> Element {
        node(
            "text",
            "Narrative",
            nil,
            [node("status", "code", "generated"), node("div", "xhtml", div)]
        )
    }

    /// A resource root with the given children.
    static func resource(_ type: String, _ children: [Element]) -> Element {
        node(type, type, nil, children)
    }

    /// A ServiceRequest with a contained Patient, an extension, a choice element and a narrative.
    static var serviceRequest: Element {
        resource(
            "ServiceRequest",
            [
                node("id", "id", "sr-1"),
                node("meta", "Meta", nil, [node("lastUpdated", "instant", "2024-05-06T10:20:30.123Z")]),
                narrative(),
                node(
                    "contained",
                    "Patient",
                    nil,
                    [
                        node("id", "id", "p1"),
                        node(
                            "name",
                            "HumanName",
                            nil,
                            [node("family", "string", "Jansen"), node("given", "string", "Anna")]
                        ),
                        node("birthDate", "date", "1980-02-29"),
                    ]
                ),
                node(
                    "extension",
                    "Extension",
                    nil,
                    [
                        node("url", "uri", "http://example.org/fhir/StructureDefinition/source"),
                        node("value", "string", "referral-portal"),
                    ]
                ),
                node(
                    "identifier",
                    "Identifier",
                    nil,
                    [
                        node("system", "uri", "urn:oid:2.16.840.1.113883.2.4.6.3"),
                        node("value", "string", "R-1"),
                    ]
                ),
                node("status", "code", "active"),
                node("intent", "code", "order"),
                concept("category", system: "http://snomed.info/sct", code: "386053000"),
                node("priority", "code", "routine"),
                concept("code", system: "http://snomed.info/sct", code: "91251008"),
                reference("subject", "#p1"),
                node("occurrence", "Period", nil, [node("start", "dateTime", "2024-05-06")]),
                node("authoredOn", "dateTime", "2024-05-01T09:00:00+02:00"),
                reference("requester", "Practitioner/dr-1"),
                node("note", "Annotation", nil, [node("text", "markdown", "Twice a week\nfor six weeks")]),
            ]
        )
    }

    static var carePlan: Element {
        resource(
            "CarePlan",
            [
                node("id", "id", "cp-1"),
                node("status", "code", "active"),
                node("intent", "code", "plan"),
                node("title", "string", "Knee rehabilitation"),
                reference("subject", "Patient/p1"),
                node(
                    "period",
                    "Period",
                    nil,
                    [node("start", "dateTime", "2024-05"), node("end", "dateTime", "2024-08")]
                ),
                node(
                    "activity",
                    "CarePlan.Activity",
                    nil,
                    [
                        node(
                            "detail",
                            "CarePlan.Detail",
                            nil,
                            [
                                node("kind", "code", "ServiceRequest"),
                                node("status", "code", "scheduled"),
                                node("scheduled", "string", "twice weekly"),
                            ]
                        )
                    ]
                ),
                node("activity", "CarePlan.Activity", nil, [reference("reference", "ServiceRequest/sr-1")]),
            ]
        )
    }

    static var task: Element {
        resource(
            "Task",
            [
                node("id", "id", "t-1"),
                node("status", "code", "requested"),
                node("intent", "code", "order"),
                node("priority", "code", "urgent"),
                reference("focus", "ServiceRequest/sr-1"),
                reference("for", "Patient/p1"),
                node("authoredOn", "dateTime", "2024-05-01T09:00:00Z"),
                node(
                    "input",
                    "Task.Input",
                    nil,
                    [
                        node("type", "CodeableConcept", nil, [node("text", "string", "sessions")]),
                        node("value", "positiveInt", "12"),
                    ]
                ),
            ]
        )
    }
}
