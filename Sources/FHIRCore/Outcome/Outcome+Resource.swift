extension Outcome {
    /// The standard extensions that place an issue in the input
    /// (http://hl7.org/fhir/R4/extension-operationoutcome-issue-line.html and `-issue-col`).
    static let lineExtensionURL =
        "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line"
    static let columnExtensionURL =
        "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col"

    /// The outcome as an `OperationOutcome` resource tree, ready for either writer.
    ///
    /// Each ``Issue`` becomes one `issue` with `severity`, `code`, `diagnostics` (the message) and
    /// `expression` (the path), plus the `operationoutcome-issue-line` and `-issue-col` extensions when its
    /// location is known. Children follow R4 element order. An outcome without issues renders a single
    /// `information` issue with code `informational`, because `OperationOutcome.issue` is required (1..*).
    public var resource: Element {
        let issues =
            self.issues.isEmpty
            ? [Issue(.information, .informational, path: nil, "No issues detected")]
            : self.issues
        return Element(
            name: "OperationOutcome",
            type: "OperationOutcome",
            children: issues.map(Self.issueElement)
        )
    }

    private static func issueElement(_ issue: Issue) -> Element {
        var children: [Element] = []
        children.reserveCapacity(6)
        if issue.location.isKnown {
            children.append(self.integerExtension(self.lineExtensionURL, Int(issue.location.line)))
            if issue.location.column > 0 {
                children.append(self.integerExtension(self.columnExtensionURL, Int(issue.location.column)))
            }
        }
        children.append(Element(name: "severity", type: "code", value: issue.severity.rawValue))
        children.append(Element(name: "code", type: "code", value: issue.code.rawValue))
        // FHIR strings may not be empty; an issue without a message still needs a valid resource.
        let diagnostics = issue.message.isEmpty ? issue.code.rawValue : issue.message
        children.append(Element(name: "diagnostics", type: "string", value: diagnostics))
        if let path = issue.path, !path.isEmpty {
            children.append(Element(name: "expression", type: "string", value: path))
        }
        return Element(name: "issue", type: "OperationOutcome.Issue", children: children)
    }

    private static func integerExtension(_ url: String, _ value: Int) -> Element {
        Element(
            name: "extension",
            type: "Extension",
            children: [
                Element(name: "url", type: "uri", value: url),
                Element(name: "value", type: "integer", value: String(value)),
            ]
        )
    }
}
