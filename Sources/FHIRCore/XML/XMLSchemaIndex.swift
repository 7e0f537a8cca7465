/// The R4 metadata reshaped for the XML reader: every type reachable from the resource types gets a small
/// integer, and each type's children and attributes are pre-resolved by wire name.
///
/// Built once, on first use, and immutable afterwards. A parse then resolves a name it has not seen
/// with one dictionary lookup (``XMLSchemaCache`` remembers the answer per libxml2 name pointer).
struct XMLSchemaIndex: Sendable {
    struct TypeEntry: Sendable {
        let name: String
        let isPrimitive: Bool
        let children: [String: XMLSchemaCache.Resolution]
        let attributes: [String: XMLSchemaCache.AttributeResolution]
        let orderByName: [String: Int]
    }

    static let shared = XMLSchemaIndex(metadata: .shared)

    let types: [TypeEntry]
    private let indexByName: [String: Int]

    /// The index of a type, nil when the type is not reachable from any resource.
    func index(of name: String) -> Int? { self.indexByName[name] }

    init(metadata: R4Metadata) {
        var names = metadata.resourceTypes
        var indexByName: [String: Int] = [:]
        for (index, name) in names.enumerated() { indexByName[name] = index }
        func index(of name: String) -> Int {
            if let index = indexByName[name] { return index }
            indexByName[name] = names.count
            names.append(name)
            return names.count - 1
        }
        var types: [TypeEntry] = []
        // Breadth-first over element types; `names` grows while it is walked.
        var next = 0
        while next < names.count {
            let name = names[next]
            next += 1
            let elements = metadata.type(named: name)?.elements ?? []
            var children: [String: XMLSchemaCache.Resolution] = [:]
            var attributes: [String: XMLSchemaCache.AttributeResolution] = [:]
            var orderByName: [String: Int] = [:]
            for element in elements {
                orderByName[element.name] = element.order
                for type in element.types {
                    let isSlot = type == "Resource"
                    let wireName = element.wireName(for: type)
                    if element.representation == .attribute {
                        attributes[wireName] = .child(name: element.name, type: type, order: element.order)
                    }
                    children[wireName] = XMLSchemaCache.Resolution(
                        name: element.name,
                        type: isSlot ? "" : type,
                        typeIndex: isSlot ? -1 : index(of: type),
                        order: element.order,
                        isRepeating: element.isRepeating,
                        representation: element.representation,
                        isResourceSlot: isSlot
                    )
                }
            }
            let isPrimitive = metadata.isPrimitive(name)
            if isPrimitive { attributes["value"] = .value }
            types.append(
                TypeEntry(
                    name: name,
                    isPrimitive: isPrimitive,
                    children: children,
                    attributes: attributes,
                    orderByName: orderByName
                )
            )
        }
        self.types = types
        self.indexByName = indexByName
    }
}
