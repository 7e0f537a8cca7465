import FHIRCore

/// Dispatch for the functions that work on item values: strings, math, conversions and the rest.
extension FHIRPathEvaluator {
    func callValueFunction(
        _ name: String,
        on focus: [FHIRPathValue],
        _ arguments: [FHIRPathNode],
        argument: (Int) throws(FHIRPathError) -> [FHIRPathValue]
    ) throws(FHIRPathError) -> [FHIRPathValue] {
        switch name {
        case "children": return self.children(focus)
        case "descendants": return self.descendants(focus)
        case "extension":
            guard let url = try Self.string(try argument(0)) else { return [] }
            return self.extensions(focus, url: url)
        case "resolve": return self.resolve(focus)
        case "hasValue": return [.boolean(self.hasValue(focus))]
        case "getValue": return self.hasValue(focus) ? [focus[0].systemValue] : []
        case "htmlChecks": return [.boolean(true)]
        case "type": return focus.map(Self.typeInfo)
        case "precision":
            guard let item = try Self.single(focus, name) else { return [] }
            return Self.precision(item.systemValue).map { [.integer($0)] } ?? []
        case "comparable":
            guard case .quantity(let left)? = try Self.single(focus, name)?.systemValue,
                case .quantity(let right)? = try Self.singleton(try argument(0))
            else { return [] }
            return [.boolean(FHIRPathQuantity.commonValues(left, right) != nil)]
        case "memberOf", "conformsTo", "lowBoundary", "highBoundary":
            throw FHIRPathError(.unsupported, "\(name)() is not supported")
        default:
            break
        }
        if let result = try FHIRPathMath.call(name, focus, argument) { return result }
        if let result = try FHIRPathConversions.call(name, focus, argument) { return result }
        if let result = try FHIRPathStrings.call(name, focus, argument) { return result }
        throw FHIRPathError(.semantic, "unknown function '\(name)'")
    }

    /// `type()`: a `SimpleTypeInfo` with `namespace` and `name`
    /// (https://hl7.org/fhirpath/N1/#reflection), as a small tree of its own so `.name` navigates.
    static func typeInfo(_ value: FHIRPathValue) -> FHIRPathValue {
        let namespace = value.elementRef == nil ? "System" : "FHIR"
        let info = Element(
            name: "TypeInfo",
            type: "SimpleTypeInfo",
            children: [
                Element(name: "namespace", type: "string", value: namespace),
                Element(name: "name", type: "string", value: value.typeName),
            ]
        )
        return .element(ElementTree(info).root)
    }

    /// `precision()`: decimal places of a decimal, digits of a date, date-time or time.
    static func precision(_ value: FHIRPathValue) -> Int? {
        switch value {
        case .decimal(let decimal): return decimal.scale
        case .date(let date), .dateTime(let date):
            return [4, 6, 8, 10, 12, 14, 17][date.precision.rawValue]
        case .time(let time):
            return [2, 2, 2, 2, 4, 6, 9][time.precision.rawValue]
        default: return nil
        }
    }
}
