#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The math functions (https://hl7.org/fhirpath/N1/#math). Exact where the result is a decimal of the
/// input's precision (`abs`, `ceiling`, `floor`, `round`, `truncate`); through `Double` for the
/// transcendental ones.
enum FHIRPathMath {
    /// The result, or nil when `name` is not a math function.
    static func call(
        _ name: String,
        _ focus: [FHIRPathValue],
        _ argument: (Int) throws(FHIRPathError) -> [FHIRPathValue]
    ) throws(FHIRPathError) -> [FHIRPathValue]? {
        guard ["abs", "ceiling", "exp", "floor", "ln", "log", "power", "round", "sqrt", "truncate"].contains(name)
        else { return nil }
        guard let item = try FHIRPathEvaluator.single(focus, name) else { return [] }
        let value = item.systemValue
        if name == "abs", case .quantity(var quantity) = value {
            quantity.value = quantity.value < FHIRDecimal(0) ? -quantity.value : quantity.value
            return [.quantity(quantity)]
        }
        guard let number = FHIRPathEquality.decimal(value) else {
            throw .evaluation("\(name)() needs a number, got \(value.typeName)")
        }
        let isInteger = if case .integer = value { true } else { false }
        switch name {
        case "abs":
            let magnitude = number < FHIRDecimal(0) ? -number : number
            return [isInteger ? .integer(magnitude.significand) : .decimal(magnitude)]
        case "ceiling": return integerResult(number.ceiling)
        case "floor": return integerResult(number.floor)
        case "truncate": return integerResult(number.truncated)
        case "round":
            let digits = try FHIRPathEvaluator.integer(try argument(0)) ?? 0
            guard digits >= 0 else { throw .evaluation("round() precision must not be negative") }
            return [.decimal(number.rounded(toScale: digits))]
        case "exp": return double(exp(number.doubleValue))
        case "ln": return number.doubleValue > 0 ? double(log(number.doubleValue)) : []
        case "sqrt":
            guard number.doubleValue >= 0 else { return [] }
            return double(number.doubleValue.squareRoot())
        case "log":
            guard
                let base = FHIRPathEquality.decimal(
                    try FHIRPathEvaluator.singleton(try argument(0)) ?? .boolean(false)
                ),
                base.doubleValue > 0, base.doubleValue != 1, number.doubleValue > 0
            else { return [] }
            return double(log(number.doubleValue) / log(base.doubleValue))
        default:
            guard let exponentValue = try FHIRPathEvaluator.singleton(try argument(0)),
                let exponent = FHIRPathEquality.decimal(exponentValue)
            else { return [] }
            if isInteger, case .integer(let power) = exponentValue, power >= 0 {
                var result = 1
                for _ in 0..<power {
                    let (product, overflow) = result.multipliedReportingOverflow(by: number.significand)
                    if overflow { return [] }
                    result = product
                }
                return [.integer(result)]
            }
            let result = pow(number.doubleValue, exponent.doubleValue)
            return result.isNaN ? [] : double(result)
        }
    }

    private static func integerResult(_ value: FHIRDecimal) -> [FHIRPathValue] {
        [.integer(value.significand)]
    }

    private static func double(_ value: Double) -> [FHIRPathValue] {
        FHIRDecimal(value).map { [.decimal($0)] } ?? []
    }
}
