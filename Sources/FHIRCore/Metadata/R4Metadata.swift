/// The FHIR R4 (4.0.1) type system: every resource, datatype, backbone element and primitive, generated
/// from the official schemas by `scripts/generate-metadata.py` into `R4Definitions.swift`.
///
/// Parsed once, at first use of ``shared``; immutable afterwards.
public struct R4Metadata: Sendable {
    /// How a primitive is spelled in JSON.
    public enum JSONKind: String, Sendable { case string, number, boolean }

    /// The metadata of FHIR R4.
    public static let shared = R4Metadata(definitions: r4DefinitionsText)

    private let types: [String: TypeDefinition]
    private let primitives: [String: JSONKind]
    private let valueSets: [String: Set<String>]
    /// Names of the concrete resource types, sorted.
    public let resourceTypes: [String]

    /// The definition of a resource, datatype or backbone type (`Patient`, `HumanName`, `Patient.Contact`).
    /// Primitives have one too: their `id` and `extension`.
    public func type(named name: String) -> TypeDefinition? {
        self.types[name] ?? (self.primitives[name] != nil ? self.types["Element"] : nil)
    }

    /// Whether the type is a primitive (`date`, `boolean`, …), and its JSON spelling.
    public func primitiveKind(of type: String) -> JSONKind? { self.primitives[type] }

    public func isPrimitive(_ type: String) -> Bool { self.primitives[type] != nil }

    /// Whether the type is a concrete resource type.
    public func isResource(_ type: String) -> Bool { self.types[type]?.kind == .resource }

    /// The codes of a required binding's value set (`RequestStatus`).
    public func codes(ofValueSet name: String) -> Set<String>? { self.valueSets[name] }

    init(definitions text: String) {
        var types: [String: TypeDefinition] = [:]
        var primitives: [String: JSONKind] = [:]
        var valueSets: [String: Set<String>] = [:]
        var current: (name: String, kind: TypeDefinition.Kind, base: String?)?
        var elements: [ElementDefinition] = []

        func finishType() {
            if let type = current {
                types[type.name] = TypeDefinition(name: type.name, kind: type.kind, base: type.base, elements: elements)
            }
            elements = []
        }

        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            switch fields[0] {
            case "P":
                primitives[fields[1]] = JSONKind(rawValue: fields[2])
            case "V":
                valueSets[fields[1]] = Set(fields.dropFirst(2))
            case "T":
                finishType()
                guard let kind = TypeDefinition.Kind(rawValue: fields[2]) else {
                    preconditionFailure("R4Definitions: unknown type kind in '\(line)'")
                }
                current = (fields[1], kind, fields[3] == "-" ? nil : fields[3])
            case "E":
                var typeNames: [String] = []
                var valueSet: String?
                for entry in fields[4].split(separator: ",") {
                    let parts = entry.split(separator: "@", maxSplits: 1)
                    typeNames.append(String(parts[0]))
                    if parts.count == 2 { valueSet = String(parts[1]) }
                }
                let representation: ElementDefinition.Representation =
                    switch fields.count > 5 ? fields[5] : "" {
                    case "attr": .attribute
                    case "xhtml": .xhtml
                    default: .element
                    }
                elements.append(
                    ElementDefinition(
                        name: fields[1],
                        min: Int(fields[2]) ?? 0,
                        max: fields[3] == "*" ? Int.max : (Int(fields[3]) ?? 1),
                        types: typeNames,
                        requiredValueSet: valueSet,
                        representation: representation,
                        order: elements.count
                    )
                )
            default:
                preconditionFailure("R4Definitions: unknown record in '\(line)'")
            }
        }
        finishType()
        self.types = types
        self.primitives = primitives
        self.valueSets = valueSets
        self.resourceTypes = types.values.filter { $0.kind == .resource }.map(\.name).sorted()
    }
}
