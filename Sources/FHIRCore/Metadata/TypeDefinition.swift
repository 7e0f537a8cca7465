/// What R4 says about one type: its kind and its elements in order (inherited ones included).
public struct TypeDefinition: Sendable {
    public enum Kind: String, Sendable, Hashable {
        case primitive, complex, backbone, resource, abstract
    }

    public let name: String
    public let kind: Kind
    /// The type it extends (`DomainResource`, `BackboneElement`, `Element`), if any.
    public let base: String?
    /// Elements in the order both formats write them, inherited elements first.
    public let elements: [ElementDefinition]

    private let byName: [String: Int]
    /// Wire name (`valueQuantity`, `birthDate`) → element index and the occurrence's type.
    private let byWireName: [String: (index: Int, type: String)]

    init(name: String, kind: Kind, base: String?, elements: [ElementDefinition]) {
        self.name = name
        self.kind = kind
        self.base = base
        self.elements = elements
        var byName: [String: Int] = [:]
        var byWireName: [String: (index: Int, type: String)] = [:]
        for (index, element) in elements.enumerated() {
            byName[element.name] = index
            for type in element.types {
                byWireName[element.wireName(for: type)] = (index, type)
            }
        }
        self.byName = byName
        self.byWireName = byWireName
    }

    /// The element with the given FHIR name (`value`, not `valueQuantity`).
    public func element(named name: String) -> ElementDefinition? {
        self.byName[name].map { self.elements[$0] }
    }

    /// Resolves a name as it appears on the wire to its definition and the type of that occurrence.
    public func element(wireName: String) -> (definition: ElementDefinition, type: String)? {
        guard let hit = self.byWireName[wireName] else { return nil }
        return (self.elements[hit.index], hit.type)
    }

    public var isResource: Bool { self.kind == .resource }
}
