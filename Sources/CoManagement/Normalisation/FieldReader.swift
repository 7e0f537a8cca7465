import FHIRCore

/// Reads the fields `extraction.json` (and the sender's overrides) define from a held resource.
///
/// Results are element nodes; the helpers turn them into the model's values. A field a mapping does
/// not define reads as empty, never as a default.
struct FieldReader {
    let mappings: MappingSet
    let index: ResourceIndex

    /// The nodes a field selects, evaluated on `node` (an activity, a participant) or on the resource.
    func nodes(_ field: String, of item: HeldResource, on node: Element? = nil) -> [Element] {
        guard let path = self.mappings.extraction.path(field, of: item.resource.type, sender: item.sender) else { return [] }
        return path.evaluate(on: node ?? item.resource) { reference in
            self.index.resolve(reference, from: item)?.resource
        }
    }

    func string(_ field: String, of item: HeldResource, on node: Element? = nil) -> String? {
        self.nodes(field, of: item, on: node).lazy.compactMap(\.value).first
    }

    func strings(_ field: String, of item: HeldResource, on node: Element? = nil) -> [String] {
        self.nodes(field, of: item, on: node).compactMap(\.value)
    }

    /// Codings from `Coding` nodes, or from the `coding` of `CodeableConcept` nodes.
    func codings(_ field: String, of item: HeldResource, on node: Element? = nil) -> [Coding] {
        self.nodes(field, of: item, on: node).flatMap(Self.codings(in:))
    }

    static func codings(in node: Element) -> [Coding] {
        if let code = node.string("code") {
            return [Coding(system: node.string("system"), code: code, display: node.string("display"))]
        }
        return node.children(named: "coding").flatMap(Self.codings(in:))
    }

    /// Reference nodes; a bare string (`actor.reference`) becomes a reference with that text.
    func references(_ field: String, of item: HeldResource, on node: Element? = nil) -> [Element] {
        self.nodes(field, of: item, on: node).compactMap { node in
            if node.child("reference") != nil || node.child("identifier") != nil || node.child("display") != nil {
                return node
            }
            guard let text = node.value else { return nil }
            return Element(name: "reference", type: "Reference", children: [Element(name: "reference", type: "string", value: text)])
        }
    }

    func identifiers(_ field: String, of item: HeldResource) -> [Identifier] {
        self.nodes(field, of: item).compactMap(Self.identifier(in:))
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
