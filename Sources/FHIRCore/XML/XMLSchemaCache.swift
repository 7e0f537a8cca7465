/// Per-parse cache from libxml2's interned names to R4 definitions.
///
/// libxml2 interns every element and attribute name in its dictionary, so within one parse the same
/// name always arrives as the same pointer. Keying on (parent type, pointer) turns the per-element
/// definition lookup into one integer-pair hash instead of building and hashing a Swift string.
struct XMLSchemaCache {
    /// How a child element of a given type is to be read.
    struct Resolution {
        /// The FHIR name (`value` for `valueQuantity`).
        let name: String
        /// The occurrence's type (`Quantity`); empty for a resource slot, whose type comes from the
        /// wrapped element.
        let type: String
        let typeIndex: Int
        let order: Int
        let isRepeating: Bool
        let representation: ElementDefinition.Representation
        /// Whether the element wraps one resource (`contained`, `Bundle.entry.resource`, …).
        let isResourceSlot: Bool
    }

    /// How an attribute of a given type is to be read.
    enum AttributeResolution {
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

    private let metadata = R4Metadata.shared
    private var typeIndexByName: [String: Int] = [:]
    private(set) var types: [TypeDefinition?] = []
    private(set) var typeNames: [String] = []
    private(set) var isPrimitive: [Bool] = []
    private var elements: [Key: Resolution?] = [:]
    private var attributes: [Key: AttributeResolution] = [:]

    /// A small integer naming the type for the rest of the parse.
    mutating func typeIndex(_ name: String) -> Int {
        if let index = self.typeIndexByName[name] { return index }
        let index = self.types.count
        self.typeIndexByName[name] = index
        self.types.append(self.metadata.type(named: name))
        self.typeNames.append(name)
        self.isPrimitive.append(self.metadata.isPrimitive(name))
        return index
    }

    /// The definition of the child element `wireName` (a libxml2 dictionary string) of a node of the
    /// given type, or nil when R4 has no such element.
    mutating func resolve(_ wireName: UnsafePointer<UInt8>, in typeIndex: Int) -> Resolution? {
        let key = Key(type: typeIndex, name: UnsafeRawPointer(wireName))
        if let cached = self.elements[key] { return cached }
        var resolution: Resolution?
        if let hit = self.types[typeIndex]?.element(wireName: wireName.string) {
            let isSlot = hit.type == "Resource"
            resolution = Resolution(
                name: hit.definition.name,
                type: isSlot ? "" : hit.type,
                typeIndex: isSlot ? -1 : self.typeIndex(hit.type),
                order: hit.definition.order,
                isRepeating: hit.definition.isRepeating,
                representation: hit.definition.representation,
                isResourceSlot: isSlot
            )
        }
        self.elements[key] = .some(resolution)
        return resolution
    }

    /// The meaning of attribute `name` (a libxml2 dictionary string) on a node of the given type.
    mutating func resolveAttribute(_ name: UnsafePointer<UInt8>, in typeIndex: Int) -> AttributeResolution {
        let key = Key(type: typeIndex, name: UnsafeRawPointer(name))
        if let cached = self.attributes[key] { return cached }
        var resolution = AttributeResolution.unknown
        if typeIndex >= 0 {
            if self.isPrimitive[typeIndex], name.equals("value") {
                resolution = .value
            } else if let hit = self.types[typeIndex]?.element(wireName: name.string),
                hit.definition.representation == .attribute
            {
                resolution = .child(name: hit.definition.name, type: hit.type, order: hit.definition.order)
            }
        }
        self.attributes[key] = resolution
        return resolution
    }

    /// Definition order of a child by FHIR name, for re-sorting; unknown names sort last.
    func order(of name: String, in typeIndex: Int) -> Int {
        guard typeIndex >= 0 else { return Int.max }
        return self.types[typeIndex]?.element(named: name)?.order ?? Int.max
    }
}
