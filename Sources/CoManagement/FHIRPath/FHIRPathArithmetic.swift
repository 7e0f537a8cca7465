/// `+ - * / div mod` on single System values (https://hl7.org/fhirpath/N1/#math-1).
enum FHIRPathArithmetic {
    /// The result, or nil for an empty result (division by zero, integer overflow).
    static func apply(
        _ op: FHIRPathOperator,
        _ lhs: FHIRPathValue,
        _ rhs: FHIRPathValue
    )
        throws(FHIRPathError) -> FHIRPathValue?
    {
        switch (lhs, rhs) {
        case (.integer(let left), .integer(let right)):
            return integers(op, left, right)
        case (.integer, .decimal), (.decimal, .integer), (.decimal, .decimal):
            guard let left = FHIRPathEquality.decimal(lhs), let right = FHIRPathEquality.decimal(rhs) else {
                return nil
            }
            return decimals(op, left, right).map(FHIRPathValue.decimal)
        case (.string(let left), .string(let right)) where op == .plus:
            return .string(left + right)
        case (.date(let date), .quantity(let quantity)), (.dateTime(let date), .quantity(let quantity)),
            (.time(let date), .quantity(let quantity)):
            guard op == .plus || op == .minus, let unit = quantity.calendarUnit else { break }
            if date.isTime, unit < .hour { break }
            let shifted = date.adding(op == .minus ? -quantity.value : quantity.value, unit)
            switch lhs {
            case .date: return .date(shifted)
            case .dateTime: return .dateTime(shifted)
            default: return .time(shifted)
            }
        case (.quantity(let left), .quantity(let right)):
            return try quantities(op, left, right)
        case (.quantity(let left), .integer), (.quantity(let left), .decimal):
            guard op == .multiply || op == .divide, let factor = FHIRPathEquality.decimal(rhs) else { break }
            guard let value = decimals(op, left.value, factor) else { return nil }
            return .quantity(FHIRPathQuantity(value: value, unit: left.unit))
        case (.integer, .quantity(let right)), (.decimal, .quantity(let right)):
            guard op == .multiply, let factor = FHIRPathEquality.decimal(lhs) else { break }
            return .quantity(FHIRPathQuantity(value: factor * right.value, unit: right.unit))
        default:
            break
        }
        throw .evaluation("cannot apply '\(op.rawValue)' to \(lhs.typeName) and \(rhs.typeName)")
    }

    private static func integers(_ op: FHIRPathOperator, _ left: Int, _ right: Int) -> FHIRPathValue? {
        switch op {
        case .plus:
            let (sum, overflow) = left.addingReportingOverflow(right)
            return overflow ? nil : .integer(sum)
        case .minus:
            let (difference, overflow) = left.subtractingReportingOverflow(right)
            return overflow ? nil : .integer(difference)
        case .multiply:
            let (product, overflow) = left.multipliedReportingOverflow(by: right)
            return overflow ? nil : .integer(product)
        case .divide:
            return FHIRDecimal(left).divided(by: FHIRDecimal(right)).map(FHIRPathValue.decimal)
        case .div:
            return right == 0 ? nil : .integer(left / right)
        case .mod:
            return right == 0 ? nil : .integer(left % right)
        default:
            return nil
        }
    }

    static func decimals(_ op: FHIRPathOperator, _ left: FHIRDecimal, _ right: FHIRDecimal) -> FHIRDecimal? {
        switch op {
        case .plus: return left + right
        case .minus: return left - right
        case .multiply: return left * right
        case .divide: return left.divided(by: right)
        case .div:
            return left.divided(by: right)?.truncated
        case .mod:
            guard let quotient = left.divided(by: right)?.truncated else { return nil }
            return left - quotient * right
        default: return nil
        }
    }

    private static func quantities(
        _ op: FHIRPathOperator,
        _ left: FHIRPathQuantity,
        _ right: FHIRPathQuantity
    )
        throws(FHIRPathError) -> FHIRPathValue?
    {
        switch op {
        case .plus, .minus:
            guard let (a, b) = FHIRPathQuantity.commonValues(left, right) else {
                throw .evaluation("cannot add '\(left.unit)' and '\(right.unit)'")
            }
            // Keep the left unit when it is the common one; otherwise report in the base unit.
            if left.unit == right.unit {
                return .quantity(FHIRPathQuantity(value: op == .plus ? a + b : a - b, unit: left.unit))
            }
            guard let factor = left.canonical(), !left.value.isZero,
                let scale = factor.value.divided(by: left.value),
                let sum = (op == .plus ? a + b : a - b).divided(by: scale)
            else { return nil }
            return .quantity(FHIRPathQuantity(value: sum, unit: left.unit))
        case .multiply, .divide:
            guard let value = decimals(op, left.value, right.value) else { return nil }
            if op == .divide, left.unit == right.unit { return .quantity(FHIRPathQuantity(value: value, unit: "1")) }
            if left.unit == "1" { return .quantity(FHIRPathQuantity(value: value, unit: right.unit)) }
            if right.unit == "1" { return .quantity(FHIRPathQuantity(value: value, unit: left.unit)) }
            let unit = op == .multiply ? "\(left.unit).\(right.unit)" : "\(left.unit)/\(right.unit)"
            return .quantity(FHIRPathQuantity(value: value, unit: unit))
        default:
            throw .evaluation("cannot apply '\(op.rawValue)' to quantities")
        }
    }
}
