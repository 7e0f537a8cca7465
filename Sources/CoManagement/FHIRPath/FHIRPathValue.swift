import FHIRCore

/// One item of a FHIRPath collection: a node of the FHIR tree or a System value.
///
/// FHIR primitives found by navigation stay ``element(_:)`` (so `extension`, `id` and type tests
/// still see the FHIR type); operators and functions read their System value through ``systemValue``.
public enum FHIRPathValue: Sendable, Hashable {
    case element(ElementRef)
    case boolean(Bool)
    case integer(Int)
    case decimal(FHIRDecimal)
    case string(String)
    case date(FHIRPathDateTime)
    case dateTime(FHIRPathDateTime)
    case time(FHIRPathDateTime)
    case quantity(FHIRPathQuantity)

    /// The System value of a FHIR primitive node, or the value itself when it already is one. A FHIR
    /// `Quantity` (and its profiles such as `Age`) becomes a System quantity. Complex nodes and
    /// primitives without a value stay as they are.
    public var systemValue: FHIRPathValue {
        guard case .element(let ref) = self else { return self }
        let element = ref.element
        guard let text = element.value else {
            return Self.quantityTypes.contains(element.type) ? Self.quantity(of: element) ?? self : self
        }
        switch element.type {
        case "boolean":
            return text == "true" ? .boolean(true) : text == "false" ? .boolean(false) : self
        case "integer", "positiveInt", "unsignedInt", "integer64":
            return Int(text).map(FHIRPathValue.integer) ?? self
        case "decimal":
            return FHIRDecimal(text).map(FHIRPathValue.decimal) ?? self
        case "date":
            return FHIRPathDateTime(dateTime: text, allowTime: false).map(FHIRPathValue.date) ?? self
        case "dateTime", "instant":
            return FHIRPathDateTime(dateTime: text).map(FHIRPathValue.dateTime) ?? self
        case "time":
            return FHIRPathDateTime(time: text).map(FHIRPathValue.time) ?? self
        default:
            return .string(text)
        }
    }

    static let quantityTypes: Set<String> = [
        "Quantity", "Age", "Distance", "Duration", "Count", "SimpleQuantity", "MoneyQuantity",
    ]

    /// A FHIR Quantity as a System quantity: the UCUM `code` when the system is UCUM, else `unit`.
    private static func quantity(of element: Element) -> FHIRPathValue? {
        guard let text = element.string("value"), let value = FHIRDecimal(text) else { return nil }
        let ucum = element.string("system") == "http://unitsofmeasure.org"
        let unit = (ucum ? element.string("code") : nil) ?? element.string("unit") ?? element.string("code") ?? "1"
        return .quantity(FHIRPathQuantity(value: value, unit: unit))
    }

    /// The tree node, when this is one.
    public var elementRef: ElementRef? {
        if case .element(let ref) = self { return ref }
        return nil
    }

    /// The System type name (`Boolean`, `String`, …) or the FHIR type of a node.
    public var typeName: String {
        switch self {
        case .element(let ref): ref.type
        case .boolean: "Boolean"
        case .integer: "Integer"
        case .decimal: "Decimal"
        case .string: "String"
        case .date: "Date"
        case .dateTime: "DateTime"
        case .time: "Time"
        case .quantity: "Quantity"
        }
    }
}

extension FHIRPathValue: CustomStringConvertible {
    /// The value as FHIRPath's `toString()` writes it; for complex nodes, their type in braces.
    public var description: String {
        switch self.systemValue {
        case .element(let ref): ref.element.value ?? "{\(ref.type)}"
        case .boolean(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .decimal(let value): value.description
        case .string(let value): value
        case .date(let value), .dateTime(let value), .time(let value): value.description
        case .quantity(let value): value.description
        }
    }
}
