/// The binary operators on evaluated operands (https://hl7.org/fhirpath/N1/#operations).
enum FHIRPathOperators {
    static func apply(
        _ op: FHIRPathOperator,
        _ left: [FHIRPathValue],
        _ right: [FHIRPathValue]
    )
        throws(FHIRPathError) -> [FHIRPathValue]
    {
        switch op {
        case .equal:
            return FHIRPathEquality.equal(left, right)
        case .notEqual:
            return FHIRPathEquality.equal(left, right).map { item in
                if case .boolean(let value) = item { return .boolean(!value) }
                return item
            }
        case .equivalent:
            return [.boolean(FHIRPathEquality.equivalent(left, right))]
        case .notEquivalent:
            return [.boolean(!FHIRPathEquality.equivalent(left, right))]
        case .union:
            return FHIRPathEquality.distinct(left + right)
        case .in, .contains:
            let (item, collection) = op == .in ? (left, right) : (right, left)
            guard !item.isEmpty else { return [] }
            guard item.count == 1 else { throw .evaluation("'\(op.rawValue)' needs a single item") }
            return [.boolean(FHIRPathEquality.contains(collection, item[0]))]
        case .and, .or, .xor, .implies:
            return logic(op, try FHIRPathEvaluator.boolean(left), try FHIRPathEvaluator.boolean(right))
        case .less, .greater, .lessOrEqual, .greaterOrEqual:
            guard let lhs = try FHIRPathEvaluator.singleton(left), let rhs = try FHIRPathEvaluator.singleton(right)
            else { return [] }
            guard let order = try compare(lhs, rhs) else { return [] }
            let result =
                switch op {
                case .less: order < 0
                case .greater: order > 0
                case .lessOrEqual: order <= 0
                default: order >= 0
                }
            return [.boolean(result)]
        case .concatenate:
            let lhs = try FHIRPathEvaluator.singleton(left)?.description ?? ""
            let rhs = try FHIRPathEvaluator.singleton(right)?.description ?? ""
            return [.string(lhs + rhs)]
        case .plus, .minus, .multiply, .divide, .div, .mod:
            guard let lhs = try FHIRPathEvaluator.singleton(left), let rhs = try FHIRPathEvaluator.singleton(right)
            else { return [] }
            return try FHIRPathArithmetic.apply(op, lhs, rhs).map { [$0] } ?? []
        }
    }

    /// Three-valued logic (https://hl7.org/fhirpath/N1/#boolean-logic).
    static func logic(_ op: FHIRPathOperator, _ lhs: Bool?, _ rhs: Bool?) -> [FHIRPathValue] {
        let result: Bool?
        switch op {
        case .and:
            result = lhs == false || rhs == false ? false : (lhs == true && rhs == true ? true : nil)
        case .or:
            result = lhs == true || rhs == true ? true : (lhs == false && rhs == false ? false : nil)
        case .xor:
            result = lhs.flatMap { left in rhs.map { left != $0 } }
        default:
            result = lhs == false || rhs == true ? true : (lhs == true && rhs == false ? false : nil)
        }
        return result.map { [.boolean($0)] } ?? []
    }

    /// The order of two System values; nil when incomparable (dates of different precision, quantities
    /// of different dimensions); an error for types that cannot be compared at all.
    static func compare(_ lhs: FHIRPathValue, _ rhs: FHIRPathValue) throws(FHIRPathError) -> Int? {
        switch (lhs, rhs) {
        case (.string(let left), .string(let right)):
            return left == right ? 0 : (left.unicodeScalars.lexicographicallyPrecedes(right.unicodeScalars) ? -1 : 1)
        case (.integer(let left), .integer(let right)):
            return left == right ? 0 : (left < right ? -1 : 1)
        case (.integer, .decimal), (.decimal, .integer), (.decimal, .decimal):
            guard let left = FHIRPathEquality.decimal(lhs), let right = FHIRPathEquality.decimal(rhs) else {
                return nil
            }
            return left.numericallyEquals(right) ? 0 : (left < right ? -1 : 1)
        case (.date(let left), .date(let right)), (.dateTime(let left), .dateTime(let right)),
            (.date(let left), .dateTime(let right)), (.dateTime(let left), .date(let right)),
            (.time(let left), .time(let right)):
            return FHIRPathDateTime.compare(left, right)
        case (.quantity(let left), .quantity(let right)):
            guard let (a, b) = FHIRPathQuantity.commonValues(left, right) else { return nil }
            return a.numericallyEquals(b) ? 0 : (a < b ? -1 : 1)
        default:
            throw .evaluation("cannot compare \(lhs.typeName) with \(rhs.typeName)")
        }
    }

    /// Unary minus on a number or quantity.
    static func negate(_ operand: [FHIRPathValue]) throws(FHIRPathError) -> [FHIRPathValue] {
        guard let value = try FHIRPathEvaluator.singleton(operand) else { return [] }
        switch value {
        case .integer(let integer): return [.integer(-integer)]
        case .decimal(let decimal): return [.decimal(-decimal)]
        case .quantity(var quantity):
            quantity.value = -quantity.value
            return [.quantity(quantity)]
        default: throw .evaluation("cannot negate \(value.typeName)")
        }
    }
}
