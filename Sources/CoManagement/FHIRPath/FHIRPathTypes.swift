import FHIRCore

/// FHIRPath's view of types: FHIR types of tree nodes, System types of values, and how they relate
/// (https://hl7.org/fhirpath/N1/#types-and-reflection, https://hl7.org/fhir/R4/fhirpath.html#types).
enum FHIRPathTypes {
    /// FHIR primitive specialisations that R4's StructureDefinitions derive from another primitive.
    private static let primitiveBase: [String: String] = [
        "code": "string", "id": "string", "markdown": "string",
        "url": "uri", "canonical": "uri", "oid": "uri", "uuid": "uri",
        "positiveInt": "integer", "unsignedInt": "integer",
    ]

    /// The System type each FHIR primitive maps to.
    static let systemType: [String: String] = [
        "boolean": "Boolean", "integer": "Integer", "positiveInt": "Integer", "unsignedInt": "Integer",
        "decimal": "Decimal", "date": "Date", "dateTime": "DateTime", "instant": "DateTime", "time": "Time",
        "string": "String", "code": "String", "id": "String", "markdown": "String", "uri": "String",
        "url": "String", "canonical": "String", "oid": "String", "uuid": "String", "base64Binary": "String",
        "xhtml": "String",
    ]

    private static let systemTypes: Set<String> = [
        "Boolean", "Integer", "Decimal", "String", "Date", "DateTime", "Time", "Quantity",
    ]

    /// `dateTime` → `DateTime`: the suffix of a choice element's name on the wire.
    static func choiceSuffix(_ type: String) -> String {
        guard let first = type.first else { return type }
        return first.uppercased() + type.dropFirst()
    }

    /// Whether a FHIR type is the given type or derives from it (`Patient` → `DomainResource` →
    /// `Resource`; `Age` → `Quantity`; `code` → `string`).
    /// - Parameter exactPrimitives: match primitives only by their own type. The R4 suite wants
    ///   `gender.is(string)` true but `gender.as(string)` and `gender.ofType(string)` empty.
    static func fhirType(_ type: String, derivesFrom target: String, exactPrimitives: Bool = false) -> Bool {
        var current: String? = type
        var steps = 0
        while let name = current, steps < 16 {
            if name == target { return true }
            if R4Metadata.shared.isPrimitive(name) {
                current = exactPrimitives ? nil : Self.primitiveBase[name]
            } else {
                current = R4Metadata.shared.type(named: name)?.base
            }
            steps += 1
        }
        return false
    }

    static func isTypeOrSubtype(_ value: FHIRPathValue, _ name: String) -> Bool {
        self.isTypeOrSubtype(value, FHIRPathTypeSpecifier(namespace: nil, name: name))
    }

    /// `value is type`: a node matches FHIR types (unqualified or `FHIR.`); a System value matches
    /// System types (unqualified or `System.`).
    static func isTypeOrSubtype(
        _ value: FHIRPathValue,
        _ type: FHIRPathTypeSpecifier,
        exactPrimitives: Bool = false
    )
        -> Bool
    {
        switch value {
        case .element(let ref):
            guard type.namespace == nil || type.namespace == "FHIR" else { return false }
            return self.fhirType(ref.type, derivesFrom: type.name, exactPrimitives: exactPrimitives)
        default:
            guard type.namespace == nil || type.namespace == "System" else { return false }
            return value.typeName == type.name
        }
    }

    /// Whether a specifier names a type this engine knows, for the checks made before evaluation.
    static func isKnown(_ type: FHIRPathTypeSpecifier) -> Bool {
        switch type.namespace {
        case "System": return true  // `Patient.is(System.Patient)` is false, not an error.
        case "FHIR": return R4Metadata.shared.type(named: type.name) != nil || type.name == "xhtml"
        case nil:
            return self.systemTypes.contains(type.name) || R4Metadata.shared.type(named: type.name) != nil
                || type.name == "xhtml"
        default: return false
        }
    }
}
