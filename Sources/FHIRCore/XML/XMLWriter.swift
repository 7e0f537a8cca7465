/// Writes an ``Element`` tree as FHIR XML into a byte buffer.
///
/// The R4 metadata decides everything about the shape: element order, choice suffixes
/// (`valueQuantity`), which elements are attributes (`Element.id`, `Extension.url`), the primitive
/// `value` attribute, and the wrapper of contained and entry resources. Nodes the metadata does not know
/// are skipped, so the writer never fails.
struct XMLWriter {
    private(set) var bytes: [UInt8] = []
    let pretty: Bool
    private let metadata = R4Metadata.shared

    init(pretty: Bool) {
        self.pretty = pretty
    }

    /// The XML declaration and the resource as root element in the FHIR namespace. A node whose type is
    /// not a resource type yields only the declaration.
    mutating func writeDocument(_ resource: Element) {
        self.append(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        guard self.metadata.isResource(resource.type), let definition = self.metadata.type(named: resource.type) else {
            return
        }
        self.writeElement(
            resource,
            tag: resource.type,
            definition: definition,
            isPrimitive: false,
            indent: 0,
            isRoot: true
        )
        if self.pretty { self.bytes.append(UInt8(ascii: "\n")) }
    }

    private mutating func writeElement(
        _ node: Element,
        tag: String,
        definition: TypeDefinition,
        isPrimitive: Bool,
        indent: Int,
        isRoot: Bool = false
    ) {
        self.startLine(indent)
        self.bytes.append(UInt8(ascii: "<"))
        self.append(tag)
        if isRoot { self.append(#" xmlns="http://hl7.org/fhir""#) }
        let children = self.ordered(node.children, in: definition)
        var hasContent = false
        for (childDefinition, child) in children {
            guard childDefinition.representation == .attribute else {
                hasContent = true
                continue
            }
            if let value = child.value { self.appendAttribute(childDefinition.name, value) }
        }
        if isPrimitive, let value = node.value { self.appendAttribute("value", value) }
        guard hasContent else {
            self.append("/>")
            return
        }
        self.bytes.append(UInt8(ascii: ">"))
        for (childDefinition, child) in children where childDefinition.representation != .attribute {
            self.writeChild(child, definition: childDefinition, indent: indent + 1)
        }
        self.startLine(indent)
        self.append("</")
        self.append(tag)
        self.bytes.append(UInt8(ascii: ">"))
    }

    private mutating func writeChild(_ child: Element, definition: ElementDefinition, indent: Int) {
        switch definition.representation {
        case .attribute:
            return
        case .xhtml:
            // Well-formed XHTML carrying its own namespace declaration: embedded verbatim.
            guard let markup = child.value else { return }
            self.startLine(indent)
            self.append(markup)
        case .element:
            if definition.types == ["Resource"] {
                guard self.metadata.isResource(child.type), let resource = self.metadata.type(named: child.type) else {
                    return
                }
                self.startLine(indent)
                self.bytes.append(UInt8(ascii: "<"))
                self.append(definition.name)
                self.bytes.append(UInt8(ascii: ">"))
                self.writeElement(child, tag: child.type, definition: resource, isPrimitive: false, indent: indent + 1)
                self.startLine(indent)
                self.append("</")
                self.append(definition.name)
                self.bytes.append(UInt8(ascii: ">"))
                return
            }
            guard definition.types.contains(child.type), let type = self.metadata.type(named: child.type) else {
                return
            }
            self.writeElement(
                child,
                tag: definition.wireName(for: child.type),
                definition: type,
                isPrimitive: self.metadata.isPrimitive(child.type),
                indent: indent
            )
        }
    }

    /// The children R4 knows, with their definitions, stably sorted into definition order.
    private func ordered(_ children: [Element], in type: TypeDefinition) -> [(ElementDefinition, Element)] {
        var result: [(ElementDefinition, Element)] = []
        var sorted = true
        for child in children {
            guard let definition = type.element(named: child.name) else { continue }
            if let last = result.last, last.0.order > definition.order { sorted = false }
            result.append((definition, child))
        }
        guard !sorted else { return result }
        return result.enumerated()
            .sorted { ($0.element.0.order, $0.offset) < ($1.element.0.order, $1.offset) }
            .map(\.element)
    }

    private mutating func startLine(_ indent: Int) {
        guard self.pretty else { return }
        self.bytes.append(UInt8(ascii: "\n"))
        self.bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    private mutating func appendAttribute(_ name: String, _ value: String) {
        self.bytes.append(UInt8(ascii: " "))
        self.append(name)
        self.append("=\"")
        XMLEscaping.appendAttribute(value, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
    }

    private mutating func append(_ text: String) {
        self.bytes.append(contentsOf: text.utf8)
    }
}
