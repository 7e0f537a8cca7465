/// `toX()` and `convertsToX()` (https://hl7.org/fhirpath/N1/#conversion), and `iif`'s neighbours.
enum FHIRPathConversions {
    /// The result, or nil when `name` is not a conversion function.
    static func call(
        _ name: String,
        _ focus: [FHIRPathValue],
        _ argument: (Int) throws(FHIRPathError) -> [FHIRPathValue]
    ) throws(FHIRPathError) -> [FHIRPathValue]? {
        let checksOnly = name.hasPrefix("convertsTo")
        let target = checksOnly ? String(name.dropFirst("convertsTo".count)) : String(name.dropFirst(2))
        guard name.hasPrefix("to") || checksOnly,
            ["Boolean", "Integer", "Long", "Decimal", "String", "Date", "DateTime", "Time", "Quantity"].contains(target)
        else { return nil }
        guard let item = try FHIRPathEvaluator.single(focus, name) else { return [] }
        var unit: String?
        if target == "Quantity" { unit = try FHIRPathEvaluator.string(try argument(0)) }
        let converted = convert(item.systemValue, to: target, unit: unit)
        if checksOnly { return [.boolean(converted != nil)] }
        return converted.map { [$0] } ?? []
    }

    static func convert(_ value: FHIRPathValue, to target: String, unit: String? = nil) -> FHIRPathValue? {
        switch target {
        case "Boolean": return toBoolean(value).map(FHIRPathValue.boolean)
        case "Integer", "Long": return toInteger(value).map(FHIRPathValue.integer)
        case "Decimal": return toDecimal(value).map(FHIRPathValue.decimal)
        case "String":
            if case .element = value { return nil }
            return .string(value.description)
        case "Date":
            switch value {
            case .date: return value
            case .dateTime(var dateTime):
                dateTime.precision = min(dateTime.precision, .day)
                dateTime.timeZoneOffset = nil
                return .date(dateTime)
            case .string(let text):
                guard var parsed = FHIRPathDateTime(dateTime: text) else { return nil }
                parsed.precision = min(parsed.precision, .day)
                parsed.timeZoneOffset = nil
                return .date(parsed)
            default: return nil
            }
        case "DateTime":
            switch value {
            case .dateTime: return value
            case .date(let date): return .dateTime(date)
            case .string(let text): return FHIRPathDateTime(dateTime: text).map(FHIRPathValue.dateTime)
            default: return nil
            }
        case "Time":
            switch value {
            case .time: return value
            case .string(let text): return FHIRPathDateTime(time: text).map(FHIRPathValue.time)
            default: return nil
            }
        default:
            guard let quantity = toQuantity(value) else { return nil }
            guard let unit, unit != quantity.unit else { return .quantity(quantity) }
            let wanted = FHIRPathQuantity(value: FHIRDecimal(1), unit: unit)
            guard let from = quantity.canonical(), let to = wanted.canonical(), from.dimension == to.dimension,
                let value = from.value.divided(by: to.value)
            else { return nil }
            return .quantity(FHIRPathQuantity(value: value, unit: unit))
        }
    }

    private static func toBoolean(_ value: FHIRPathValue) -> Bool? {
        switch value {
        case .boolean(let flag): return flag
        case .integer(let integer): return integer == 1 ? true : integer == 0 ? false : nil
        case .decimal(let decimal):
            return decimal.numericallyEquals(FHIRDecimal(1)) ? true : decimal.isZero ? false : nil
        case .string(let text):
            switch text.lowercased() {
            case "true", "t", "yes", "y", "1", "1.0": return true
            case "false", "f", "no", "n", "0", "0.0": return false
            default: return nil
            }
        default: return nil
        }
    }

    private static func toInteger(_ value: FHIRPathValue) -> Int? {
        switch value {
        case .integer(let integer): return integer
        case .boolean(let flag): return flag ? 1 : 0
        case .string(let text):
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+" || $0 == "-") }) else { return nil }
            return Int(text)
        default: return nil
        }
    }

    private static func toDecimal(_ value: FHIRPathValue) -> FHIRDecimal? {
        switch value {
        case .integer(let integer): return FHIRDecimal(integer)
        case .decimal(let decimal): return decimal
        case .boolean(let flag): return FHIRDecimal(flag ? 1 : 0)
        case .string(let text):
            guard !text.contains("e"), !text.contains("E"), !text.hasSuffix("."), !text.hasPrefix(".") else {
                return nil
            }
            return FHIRDecimal(text)
        default: return nil
        }
    }

    /// Numbers become unit `1`; strings read as `number` optionally followed by `'ucum'` or a calendar
    /// keyword (https://hl7.org/fhirpath/N1/#toquantityunit-string-quantity).
    private static func toQuantity(_ value: FHIRPathValue) -> FHIRPathQuantity? {
        switch value {
        case .quantity(let quantity): return quantity
        case .integer(let integer): return FHIRPathQuantity(value: FHIRDecimal(integer), unit: "1")
        case .decimal(let decimal): return FHIRPathQuantity(value: decimal, unit: "1")
        case .boolean(let flag):
            return FHIRPathQuantity(value: FHIRDecimal(flag ? "1.0" : "0.0") ?? FHIRDecimal(0), unit: "1")
        case .string(let text):
            let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
            guard let first = parts.first, let number = toDecimal(.string(first)) else { return nil }
            guard parts.count == 2 else { return FHIRPathQuantity(value: number, unit: "1") }
            let unit = parts[1].trimmingPrefix(while: { $0 == " " })
            if unit.count >= 2, unit.hasPrefix("'"), unit.hasSuffix("'") {
                return FHIRPathQuantity(value: number, unit: String(unit.dropFirst().dropLast()))
            }
            return FHIRPathQuantity.calendarKeywords.contains(String(unit))
                ? FHIRPathQuantity(value: number, unit: String(unit)) : nil
        default: return nil
        }
    }
}

extension Substring {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        self.drop(while: predicate)
    }
}

extension String {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        self.drop(while: predicate)
    }
}
