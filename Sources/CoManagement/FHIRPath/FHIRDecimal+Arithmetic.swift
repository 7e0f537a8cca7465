/// Exact arithmetic on ``FHIRDecimal``; falls back to `Double` only when 64-bit significands overflow.
extension FHIRDecimal: Comparable {
    /// Both significands at the larger scale, or nil on overflow.
    static func aligned(_ lhs: FHIRDecimal, _ rhs: FHIRDecimal) -> (Int, Int, Int)? {
        let scale = max(lhs.scale, rhs.scale)
        guard let left = lhs.significand(atScale: scale), let right = rhs.significand(atScale: scale) else {
            return nil
        }
        return (left, right, scale)
    }

    /// The significand rescaled to a larger scale, or nil on overflow.
    func significand(atScale target: Int) -> Int? {
        var value = self.significand
        for _ in self.scale..<max(self.scale, target) {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = times
        }
        return value
    }

    public static func < (lhs: FHIRDecimal, rhs: FHIRDecimal) -> Bool {
        if let (left, right, _) = aligned(lhs, rhs) { return left < right }
        return lhs.doubleValue < rhs.doubleValue
    }

    /// Numeric equality regardless of precision: `1.0` equals `1`.
    func numericallyEquals(_ other: FHIRDecimal) -> Bool {
        if let (left, right, _) = Self.aligned(self, other) { return left == right }
        return self.doubleValue == other.doubleValue
    }

    public static func + (lhs: FHIRDecimal, rhs: FHIRDecimal) -> FHIRDecimal {
        if let (left, right, scale) = aligned(lhs, rhs) {
            let (sum, overflow) = left.addingReportingOverflow(right)
            if !overflow { return FHIRDecimal(significand: sum, scale: scale) }
        }
        return FHIRDecimal(lhs.doubleValue + rhs.doubleValue) ?? lhs
    }

    public static prefix func - (value: FHIRDecimal) -> FHIRDecimal {
        FHIRDecimal(significand: -value.significand, scale: value.scale)
    }

    public static func - (lhs: FHIRDecimal, rhs: FHIRDecimal) -> FHIRDecimal { lhs + -rhs }

    public static func * (lhs: FHIRDecimal, rhs: FHIRDecimal) -> FHIRDecimal {
        let (product, overflow) = lhs.significand.multipliedReportingOverflow(by: rhs.significand)
        if !overflow { return FHIRDecimal(significand: product, scale: lhs.scale + rhs.scale) }
        return FHIRDecimal(lhs.doubleValue * rhs.doubleValue) ?? lhs
    }

    /// Division to at least 8 fractional digits, trailing zeros removed; nil when dividing by zero.
    public func divided(by divisor: FHIRDecimal) -> FHIRDecimal? {
        guard !divisor.isZero else { return nil }
        // self / divisor = (a × 10^-s1) / (b × 10^-s2); scale the numerator so the quotient has
        // `digits` fractional digits.
        let digits = max(8, self.scale, divisor.scale)
        let numeratorScale = digits + divisor.scale
        if let numerator = self.significand(atScale: numeratorScale) {
            let quotient = numerator / divisor.significand
            let remainder = numerator % divisor.significand
            // Round half away from zero on the last digit.
            var rounded = quotient
            if remainder.magnitude * 2 >= divisor.significand.magnitude {
                rounded += (numerator < 0) != (divisor.significand < 0) ? -1 : 1
            }
            return FHIRDecimal(significand: rounded, scale: digits).normalized
        }
        return FHIRDecimal(self.doubleValue / divisor.doubleValue)
    }

    /// Rounds to `digits` fractional digits, half away from zero.
    public func rounded(toScale digits: Int) -> FHIRDecimal {
        guard digits < self.scale else { return self }
        var value = self.significand
        var dropped = 0
        var sticky = false
        for _ in digits..<self.scale {
            if dropped != 0 { sticky = true }
            dropped = value % 10
            value /= 10
        }
        _ = sticky
        if dropped.magnitude >= 5 { value += value < 0 || self.significand < 0 ? -1 : 1 }
        return FHIRDecimal(significand: value, scale: digits)
    }

    /// Drops the fractional part (toward zero).
    public var truncated: FHIRDecimal {
        var value = self.significand
        for _ in 0..<self.scale { value /= 10 }
        return FHIRDecimal(significand: value, scale: 0)
    }

    public var floor: FHIRDecimal {
        let truncated = self.truncated
        if self.significand < 0, !(truncated.numericallyEquals(self)) { return truncated - FHIRDecimal(1) }
        return truncated
    }

    public var ceiling: FHIRDecimal {
        let truncated = self.truncated
        if self.significand > 0, !(truncated.numericallyEquals(self)) { return truncated + FHIRDecimal(1) }
        return truncated
    }
}
