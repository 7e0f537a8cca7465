import FHIRCore

/// Reads the fields `extraction.json` (and the sender's overrides) define, by evaluating their
/// FHIRPath expressions on a held resource.
///
/// Results are element nodes; the helpers turn them into the model's values. A field a mapping does
/// not define reads as empty, never as a default; an expression that fails to evaluate reads as empty
/// and is reported through ``IssueLog``.
struct FieldReader {
    /// A held resource prepared for evaluation (see ``subject(_:)``).
    struct Subject {
        var item: HeldResource
        /// The resource's node in the evaluation tree.
        var root: ElementRef
    }

    let mappings: MappingSet
    let index: ResourceIndex
    let log: IssueLog
    let dependencies: FactDependencies

    /// Resolves a reference found in `item`, recording what the lookup depended on.
    func resolve(_ reference: Element, from item: HeldResource?) -> ResourceIndex.Target? {
        let target = self.index.resolve(reference, from: item)
        self.dependencies.record(FactDependencies.names(of: reference, holder: item, found: target))
        return target
    }

    /// Indexes a resource for evaluation, with the held resources its references point at beside it.
    ///
    /// Why a Bundle: the FHIRPath engine is pure and its `resolve()` looks only inside the evaluated
    /// tree (contained resources, Bundle entries by `fullUrl`). Wrapping the resource in a collection
    /// Bundle whose other entries are the resolved targets, each under the exact reference text as
    /// `fullUrl`, lets `addresses.resolve()` reach held Conditions whatever form the reference took.
    func subject(_ item: HeldResource) -> Subject {
        var entries: [Element] = [Self.entry(fullUrl: item.fullUrl ?? item.key, item.resource)]
        var seen: Set<String> = []
        func collect(_ node: Element) {
            if let text = node.string("reference"), !text.hasPrefix("#"), seen.insert(text).inserted,
                let target = self.resolve(node, from: item), let resource = target.resource
            {
                entries.append(Self.entry(fullUrl: text, resource))
            }
            for child in node.children where child.name != "contained" { collect(child) }
        }
        collect(item.resource)
        guard entries.count > 1 else { return Subject(item: item, root: ElementTree(item.resource).root) }
        let bundle = Element(
            name: "Bundle",
            type: "Bundle",
            children: [Element(name: "type", type: "code", value: "collection")] + entries
        )
        let tree = ElementTree(bundle)
        // The first entry's resource: Bundle → entry[0] → resource.
        let root = tree.root.children.first { $0.name == "entry" }!.children.first { $0.name == "resource" }!
        return Subject(item: item, root: root)
    }

    private static func entry(fullUrl: String, _ resource: Element) -> Element {
        var resource = resource
        resource.name = "resource"
        return Element(
            name: "entry",
            type: "Bundle.Entry",
            children: [Element(name: "fullUrl", type: "uri", value: fullUrl), resource]
        )
    }

    /// The values a field selects, evaluated on `node` (an activity, a participant) or on the resource.
    func values(_ field: String, of subject: Subject, on node: ElementRef? = nil) -> [FHIRPathValue] {
        let type = subject.item.resource.type
        guard let expression = self.mappings.extraction.path(field, of: type, sender: subject.item.sender) else {
            return []
        }
        do {
            return try expression.evaluate(node ?? subject.root)
        } catch {
            self.log.append(
                subject.item.key,
                Issue(
                    .warning,
                    .processing,
                    path: type,
                    "extraction of '\(field)' (\(expression.text)) failed: \(error.description)"
                )
            )
            return []
        }
    }

    /// Tree nodes a field selects (for evaluating per-item fields on them).
    func refs(_ field: String, of subject: Subject, on node: ElementRef? = nil) -> [ElementRef] {
        self.values(field, of: subject, on: node).compactMap(\.elementRef)
    }

    /// Nodes a field selects; System values (a `toString()`, a literal) become primitive string nodes.
    func nodes(_ field: String, of subject: Subject, on node: ElementRef? = nil) -> [Element] {
        self.values(field, of: subject, on: node).map { value in
            value.elementRef?.element ?? Element(name: "value", type: "string", value: value.description)
        }
    }

    func string(_ field: String, of subject: Subject, on node: ElementRef? = nil) -> String? {
        self.nodes(field, of: subject, on: node).lazy.compactMap(\.value).first
    }

    /// Codings from `Coding` nodes, or from the `coding` of `CodeableConcept` nodes.
    func codings(_ field: String, of subject: Subject, on node: ElementRef? = nil) -> [Coding] {
        self.nodes(field, of: subject, on: node).flatMap(Self.codings(in:))
    }

    static func codings(in node: Element) -> [Coding] {
        if let code = node.string("code") {
            return [Coding(system: node.string("system"), code: code, display: node.string("display"))]
        }
        return node.children(named: "coding").flatMap(Self.codings(in:))
    }

    /// Reference nodes; a bare string (`actor.reference`) becomes a reference with that text.
    func references(_ field: String, of subject: Subject, on node: ElementRef? = nil) -> [Element] {
        self.nodes(field, of: subject, on: node).compactMap { node in
            if node.child("reference") != nil || node.child("identifier") != nil || node.child("display") != nil {
                return node
            }
            guard let text = node.value else { return nil }
            return Element(
                name: "reference",
                type: "Reference",
                children: [Element(name: "reference", type: "string", value: text)]
            )
        }
    }

    func identifiers(_ field: String, of subject: Subject) -> [Identifier] {
        self.nodes(field, of: subject).compactMap(Self.identifier(in:))
    }

    static func identifier(in node: Element) -> Identifier? {
        guard let value = node.string("value") else { return nil }
        return Identifier(system: node.string("system"), value: value)
    }

    /// `HumanName.text`, else given names and family; a plain string as it is.
    static func displayName(_ node: Element?) -> String? {
        guard let node else { return nil }
        if let value = node.value { return value }
        if let text = node.string("text") { return text }
        let parts = node.children(named: "given").compactMap(\.value) + [node.string("family")].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}

/// Issues found deep inside read-only helpers during one derivation (an expression that fails on
/// some resource's data), collected per resource key.
///
/// A class because ``FieldReader`` is passed by value into many small helpers that should not all
/// become `mutating`; it lives for one derivation, on one task, and never escapes it.
final class IssueLog {
    private(set) var issues: [String: [Issue]] = [:]

    func append(_ key: String, _ issue: Issue) {
        self.issues[key, default: []].append(issue)
    }
}
