/// An exact decimal number as FHIRPath's `System.Decimal` needs it: `significand × 10^-scale`.
///
/// The scale is the number of digits written after the point, so `1.50` keeps its precision and prints
/// back as `1.50`. Arithmetic is exact while the significand fits in 64 bits; past that the result is
/// rounded to fewer fractional digits (FHIRPath asks for at least 8 digits of precision,
/// https://hl7.org/fhirpath/N1/#decimal).
public struct FHIRDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The digits without the point, signed.
    public let significand: Int
    /// How many of those digits are after the point; never negative.
    public let scale: Int

    public init(significand: Int, scale: Int) {
        self.significand = significand
        self.scale = max(0, scale)
    }

    public init(_ integer: Int) {
        self.init(significand: integer, scale: 0)
    }

    /// Parses `-12.340`, `5`, `1e-3`; nil when the text is not a decimal or does not fit.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var significand = 0
        var scale = 0
        var sawDigit = false
        var sawPoint = false
        var exponent = 0
        while let byte = bytes.first {
            if byte >= 48, byte <= 57 {
                let (times, o1) = significand.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int(byte - 48))
                if o1 || o2 {
                    // Digits after the point beyond 64 bits are dropped (precision is lost, not the value).
                    guard sawPoint else { return nil }
                    bytes = bytes.dropFirst()
                    continue
                }
                significand = plus
                if sawPoint { scale += 1 }
                sawDigit = true
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let value = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)) else { return nil }
                exponent = value
                bytes = bytes[bytes.endIndex...]
                break
            } else {
                return nil
            }
            bytes = bytes.dropFirst()
        }
        guard sawDigit else { return nil }
        scale -= exponent
        while scale < 0 {
            let (times, overflow) = significand.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            significand = times
            scale += 1
        }
        self.init(significand: negative ? -significand : significand, scale: scale)
    }

    /// The nearest decimal to a binary floating-point value, using its shortest round-trip spelling.
    public init?(_ double: Double) {
        guard double.isFinite else { return nil }
        self.init("\(double)")
        // `description` of a whole double ends in `.0`; keep that digit only when it was asked for.
    }

    public var description: String {
        let digits = String(self.significand.magnitude)
        let sign = self.significand < 0 ? "-" : ""
        guard self.scale > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, self.scale + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -self.scale)
        return sign + padded[..<split] + "." + padded[split...]
    }

    public var doubleValue: Double {
        Double(self.significand) / Self.power(self.scale)
    }

    public var isZero: Bool { self.significand == 0 }

    /// The integer value when there is no fractional part (trailing zeros allowed).
    public var exactInteger: Int? {
        let reduced = self.normalized
        return reduced.scale == 0 ? reduced.significand : nil
    }

    /// The same number without trailing fractional zeros: `1.50` → `1.5`.
    public var normalized: FHIRDecimal {
        var significand = self.significand
        var scale = self.scale
        while scale > 0, significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        return FHIRDecimal(significand: significand, scale: scale)
    }

    static func power(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}
