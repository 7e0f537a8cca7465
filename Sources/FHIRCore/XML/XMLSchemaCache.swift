/// Per-parse cache from libxml2's interned names to the pre-resolved definitions of ``XMLSchemaIndex``.
///
/// libxml2 interns every element and attribute name in its dictionary, so within one parse the same
/// name always arrives as the same pointer. Keying on (parent type, pointer) turns the per-element
/// definition lookup into one integer-pair hash instead of building and hashing a Swift string.
struct XMLSchemaCache {
    /// How a child element of a given type is to be read.
    struct Resolution: Sendable {
        /// The FHIR name (`value` for `valueQuantity`).
        let name: String
        /// The occurrence's type (`Quantity`); empty for a resource slot, whose type comes from the
        /// wrapped element.
        let type: String
        /// The type's index in ``XMLSchemaIndex``; -1 for a resource slot.
        let typeIndex: Int
        let order: Int
        let isRepeating: Bool
        let representation: ElementDefinition.Representation
        /// Whether the element wraps one resource (`contained`, `Bundle.entry.resource`, …).
        let isResourceSlot: Bool
    }

    /// How an attribute of a given type is to be read.
    enum AttributeResolution: Sendable {
        /// A primitive's `value`.
        case value
        /// An element represented as an attribute (`Element.id`, `Extension.url`).
        case child(name: String, type: String, order: Int)
        case unknown
    }

    private struct Key: Hashable {
        let type: Int
        let name: UnsafeRawPointer
    }

    let index = XMLSchemaIndex.shared
    private var elements: [Key: Resolution?] = [:]
    private var attributes: [Key: AttributeResolution] = [:]

    /// The index of a resource type, nil when it is not one.
    func resourceIndex(_ name: String) -> Int? {
        R4Metadata.shared.isResource(name) ? self.index.index(of: name) : nil
    }

    /// The definition of the child element `wireName` (a libxml2 dictionary string) of a node of the
    /// given type, or nil when R4 has no such element.
    mutating func resolve(_ wireName: UnsafePointer<UInt8>, in typeIndex: Int) -> Resolution? {
        let key = Key(type: typeIndex, name: UnsafeRawPointer(wireName))
        if let cached = self.elements[key] { return cached }
        let resolution = typeIndex >= 0 ? self.index.types[typeIndex].children[wireName.string] : nil
        self.elements[key] = .some(resolution)
        return resolution
    }

    /// The meaning of attribute `name` (a libxml2 dictionary string) on a node of the given type.
    mutating func resolveAttribute(_ name: UnsafePointer<UInt8>, in typeIndex: Int) -> AttributeResolution {
        let key = Key(type: typeIndex, name: UnsafeRawPointer(name))
        if let cached = self.attributes[key] { return cached }
        let resolution = typeIndex >= 0 ? self.index.types[typeIndex].attributes[name.string] ?? .unknown : .unknown
        self.attributes[key] = resolution
        return resolution
    }

    /// Definition order of a child by FHIR name, for re-sorting; unknown names sort last.
    func order(of name: String, in typeIndex: Int) -> Int {
        guard typeIndex >= 0 else { return Int.max }
        return self.index.types[typeIndex].orderByName[name] ?? Int.max
    }
}
