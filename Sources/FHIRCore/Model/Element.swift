/// One node of the lossless FHIR element tree: a resource, a datatype, a backbone element or a primitive.
///
/// Both wire formats read into, and write from, this one shape:
/// - `name` is the element's name as FHIR defines it, without `[x]`: a JSON `valueQuantity` or XML
///   `<valueQuantity>` is `name == "value"`, `type == "Quantity"`.
/// - `type` is the FHIR type of this occurrence: a primitive (`date`), a datatype (`HumanName`), a
///   backbone element (`Patient.Contact`, named as the R4 XSD names it) or a resource (`Patient`).
/// - `value` is a primitive's lexical form exactly as the sender wrote it (`1.50` stays `1.50`), or for
///   the narrative `div` (type `xhtml`) its XHTML markup.
/// - `children` are in R4 element order; a repeating element is a run of siblings with the same name.
///   A primitive's `id` and `extension` are its children, so `_birthDate` in JSON and attributes and
///   children in XML land in the same place.
///
/// The root of a resource, and every resource inside `contained`, `Bundle.entry.resource` and the like,
/// has a resource `type`; the root's `name` is its type.
public struct Element: Sendable, Hashable {
    public var name: String
    public var type: String
    public var value: String?
    public var children: [Element]
    /// Where the element started in the input; ``SourceLocation/unknown`` for built trees. Not part of
    /// equality, so trees read from JSON and from XML compare equal.
    public var location: SourceLocation

    public init(
        name: String,
        type: String,
        value: String? = nil,
        children: [Element] = [],
        location: SourceLocation = .unknown
    ) {
        self.name = name
        self.type = type
        self.value = value
        self.children = children
        self.location = location
    }

    public static func == (lhs: Element, rhs: Element) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.value == rhs.value && lhs.children == rhs.children
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.name)
        hasher.combine(self.type)
        hasher.combine(self.value)
        hasher.combine(self.children)
    }
}

extension Element {
    /// The children with the given name, in order.
    public func children(named name: String) -> [Element] {
        self.children.filter { $0.name == name }
    }

    /// The first child with the given name.
    public func child(_ name: String) -> Element? {
        self.children.first { $0.name == name }
    }

    /// The primitive value of the first child with the given name: `resource.string("status")`.
    public func string(_ name: String) -> String? {
        self.child(name)?.value
    }

    /// Whether this node is a resource (the root, or a contained or entry resource).
    public var isResource: Bool { R4Metadata.shared.isResource(self.type) }

    /// The resource's logical id (`Resource.id`), when this node is a resource.
    public var resourceID: String? { self.isResource ? self.string("id") : nil }
}
