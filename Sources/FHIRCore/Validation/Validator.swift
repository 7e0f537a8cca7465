/// Checks a resource tree against the FHIR R4 structure definitions: cardinality, choice elements,
/// allowed types, primitive formats, required bindings, empty elements, extensions, contained resources,
/// references and the narrative.
///
/// Validation walks the tree once, in definition order, and keeps going after errors so that one answer
/// lists every problem. Each ``Issue`` carries a FHIRPath-style path (`Patient.name[0].given[1]`, indexed
/// only on repeating elements) and the node's ``SourceLocation`` when it was read from text. Pure: no
/// clock, no I/O; safe to call from any task.
public enum Validator {
    /// The reader's issues followed by the validator's, for a resource as a reader produced it.
    public static func validate(_ parsed: ParsedResource) -> Outcome {
        var outcome = parsed.issues
        outcome.append(contentsOf: self.validate(parsed.root))
        return outcome
    }

    /// The validator's issues for a resource tree; the root must be a resource (`type` a resource type).
    ///
    /// Nesting deeper than ``ReadLimits/maxDepth`` of the default limits is reported and not descended,
    /// so hand-built trees cannot exhaust the stack.
    public static func validate(_ resource: Element) -> Outcome {
        var walk = Walk(
            metadata: R4Metadata.shared,
            root: resource.type,
            maxDepth: ReadLimits.default.maxDepth
        )
        walk.validateRoot(resource)
        return Outcome(walk.issues)
    }
}

extension Validator {
    /// The state of one validation: where the walk is and what it has found.
    struct Walk {
        let metadata: R4Metadata
        let maxDepth: Int
        /// The path of the node being visited; turned into a string only when an issue is recorded.
        var path: ElementPath
        var issues: [Issue] = []
        var depthExceeded = false

        init(metadata: R4Metadata, root: String, maxDepth: Int) {
            self.metadata = metadata
            self.maxDepth = maxDepth
            self.path = ElementPath(root: root)
        }

        mutating func validateRoot(_ resource: Element) {
            guard self.metadata.isResource(resource.type) else {
                self.record(
                    .error,
                    .notSupported,
                    "Root must be a FHIR R4 resource; found type '\(resource.type)'",
                    at: resource.location
                )
                return
            }
            self.visit(resource, definition: nil)
        }

        /// Visits one node whose path is ``path``; `definition` is the element it occupies (nil for the root).
        mutating func visit(_ node: Element, definition: ElementDefinition?) {
            guard self.path.depth <= self.maxDepth else {
                // Once per walk: every sibling at this depth would otherwise repeat it.
                guard !self.depthExceeded else { return }
                self.depthExceeded = true
                self.record(
                    .error,
                    .tooCostly,
                    "Elements are nested deeper than \(self.maxDepth) levels; the rest was not validated",
                    at: node.location
                )
                return
            }
            if node.type == "xhtml" {
                self.visitNarrative(node)
            } else if self.metadata.isPrimitive(node.type) {
                self.visitPrimitive(node, definition: definition)
            } else if let type = self.metadata.type(named: node.type) {
                self.visitComplex(node, as: type, definition: definition)
            }
            // An unknown type was reported by the parent's type check; there is nothing to check it against.
        }

        mutating func visitComplex(
            _ node: Element,
            as type: TypeDefinition,
            definition: ElementDefinition?
        ) {
            if let value = node.value {
                self.record(
                    .error,
                    .structure,
                    "Element of type \(node.type) cannot have a primitive value; found '\(Self.excerpt(value))'",
                    at: node.location
                )
            }
            // An empty resource is reported through its missing required elements instead.
            if node.children.isEmpty, !type.isResource {
                if node.value == nil {
                    self.record(
                        .error,
                        .required,
                        "Element must have a value or children; found an empty \(node.type)",
                        at: node.location
                    )
                }
                return
            }
            self.checkRules(node, definition: definition)
            self.visitChildren(of: node, as: type)
        }

        mutating func visitNarrative(_ node: Element) {
            guard let markup = node.value, !markup.isEmpty else {
                self.record(
                    .error,
                    .required,
                    "Element must have a value or children; found an empty narrative div",
                    at: node.location
                )
                return
            }
            self.issues.append(
                contentsOf: XHTMLNarrative.issues(markup: markup, path: self.path.description, at: node.location)
            )
        }

        // MARK: Recording

        /// Records an issue at the current path.
        mutating func record(
            _ severity: Issue.Severity,
            _ code: Issue.Code,
            _ message: String,
            at location: SourceLocation
        ) {
            self.issues.append(Issue(severity, code, path: self.path.description, message, at: location))
        }

        /// Records an issue at a child of the current path (a missing or surplus element).
        mutating func record(
            _ severity: Issue.Severity,
            _ code: Issue.Code,
            child name: String,
            index: Int? = nil,
            _ message: String,
            at location: SourceLocation
        ) {
            let path = self.path.appending(name, index: index)
            self.issues.append(Issue(severity, code, path: path, message, at: location))
        }

        /// A value shortened for a message, so a megabyte string does not end up in an OperationOutcome.
        static func excerpt(_ value: String) -> String {
            let limit = 64
            guard value.utf8.count > limit else { return value }
            return String(value.prefix(limit)) + "…"
        }
    }
}
