/// The ``JSONPropertyTable`` of every R4 type, derived from ``R4Metadata`` once at first use.
struct JSONPropertyTables: Sendable {
    static let shared = JSONPropertyTables(metadata: .shared)

    private(set) var tables: [JSONPropertyTable] = []
    private var indexByType: [String: Int] = [:]

    /// The table of a resource, datatype or backbone type (`Patient`, `Element` for `_x` objects).
    func index(of typeName: String) -> Int? { self.indexByType[typeName] }

    init(metadata: R4Metadata) {
        var typeNames = metadata.resourceTypes
        var pending = Set(typeNames)
        var position = 0
        // Walk outward from the resources so every reachable datatype and backbone type gets a table.
        typeNames.append("Element")
        pending.insert("Element")
        while position < typeNames.count {
            let name = typeNames[position]
            position += 1
            guard let definition = metadata.type(named: name) else { continue }
            for element in definition.elements {
                for type in element.types
                where metadata.primitiveKind(of: type) == nil && type != "Resource"
                    && type != "DomainResource" && type != "xhtml" && metadata.type(named: type) != nil
                    && pending.insert(type).inserted
                {
                    typeNames.append(type)
                }
            }
        }
        for (index, name) in typeNames.enumerated() { self.indexByType[name] = index }
        for name in typeNames {
            self.tables.append(self.makeTable(name, metadata: metadata))
        }
    }

    private func makeTable(_ typeName: String, metadata: R4Metadata) -> JSONPropertyTable {
        var table = JSONPropertyTable(typeName: typeName)
        let isResource = metadata.isResource(typeName)
        if isResource {
            table.add(
                key: "resourceType",
                .init(name: "resourceType", type: "string", kind: .resourceType, order: -1, isRepeating: false)
            )
        }
        for element in metadata.type(named: typeName)?.elements ?? [] {
            for type in element.types {
                let key = element.wireName(for: type)
                let kind: JSONPropertyTable.Kind
                if element.representation == .xhtml {
                    kind = .xhtml
                } else if let json = metadata.primitiveKind(of: type) {
                    kind = .primitive(json)
                    // Element.id and Extension.url are XML attributes, so they have no `_x` in JSON.
                    if element.representation == .element {
                        table.add(
                            key: "_" + key,
                            .init(
                                name: element.name,
                                type: type,
                                kind: .companion,
                                order: element.order,
                                isRepeating: element.isRepeating
                            )
                        )
                    }
                } else if type == "Resource" || type == "DomainResource" {
                    kind = .resource
                } else if let index = self.indexByType[type] {
                    kind = .complex(table: index)
                } else {
                    kind = .undefined
                }
                let isRepeating = element.isRepeating && element.representation != .attribute
                table.add(
                    key: key,
                    .init(name: element.name, type: type, kind: kind, order: element.order, isRepeating: isRepeating)
                )
            }
        }
        table.seal()
        return table
    }
}
