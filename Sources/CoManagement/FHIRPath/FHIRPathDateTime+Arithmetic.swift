/// Comparison and calendar arithmetic for date/time values.
extension FHIRPathDateTime {
    /// The order of two values: -1, 0 or 1; nil when they differ in precision and agree as far as both
    /// go (https://hl7.org/fhirpath/N1/#comparison). Seconds and milliseconds count as one precision.
    static func compare(_ lhs: FHIRPathDateTime, _ rhs: FHIRPathDateTime) -> Int? {
        var lhs = lhs
        var rhs = rhs
        if lhs.timeZoneOffset != nil, rhs.timeZoneOffset != nil, lhs.precision >= .hour, rhs.precision >= .hour {
            lhs = lhs.inUTC
            rhs = rhs.inUTC
        } else if (lhs.timeZoneOffset == nil) != (rhs.timeZoneOffset == nil), lhs.precision >= .hour,
            rhs.precision >= .hour
        {
            // One local time, one with an offset: the order depends on an unknown zone.
            return nil
        }
        let levels: [Precision] =
            lhs.isTime ? [.hour, .minute, .second] : [.year, .month, .day, .hour, .minute, .second]
        for level in levels {
            let leftHas = lhs.precision >= level
            let rightHas = rhs.precision >= level
            if !leftHas, !rightHas { return 0 }
            if leftHas != rightHas { return nil }
            let left = lhs.component(level)
            let right = rhs.component(level)
            if left != right { return left < right ? -1 : 1 }
        }
        return 0
    }

    private func component(_ level: Precision) -> Int {
        switch level {
        case .year: self.year
        case .month: self.month
        case .day: self.day
        case .hour: self.hour
        case .minute: self.minute
        case .second, .millisecond: self.second * 1000 + self.millisecond
        }
    }

    /// The same instant with a zero offset.
    var inUTC: FHIRPathDateTime {
        guard let offset = self.timeZoneOffset, offset != 0 else { return self }
        var copy = self.addingMilliseconds(-offset * 60_000)
        copy.timeZoneOffset = 0
        return copy
    }

    /// Calendar units a time-valued quantity can add (https://hl7.org/fhirpath/N1/#datetime-arithmetic).
    enum CalendarUnit: Int, Comparable {
        case year, month, week, day, hour, minute, second, millisecond

        static func < (lhs: CalendarUnit, rhs: CalendarUnit) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Calendar keywords and the UCUM codes of definite durations.
        init?(unit: String) {
            switch unit {
            // UCUM `a` and `mo` are average durations, not calendar ones: not allowed here.
            case "year", "years": self = .year
            case "month", "months": self = .month
            case "week", "weeks", "wk": self = .week
            case "day", "days", "d": self = .day
            case "hour", "hours", "h": self = .hour
            case "minute", "minutes", "min": self = .minute
            case "second", "seconds", "s": self = .second
            case "millisecond", "milliseconds", "ms": self = .millisecond
            default: return nil
            }
        }

        var milliseconds: Int? {
            switch self {
            case .year, .month: nil
            case .week: 604_800_000
            case .day: 86_400_000
            case .hour: 3_600_000
            case .minute: 60_000
            case .second: 1000
            case .millisecond: 1
            }
        }
    }

    /// Adds a time-valued quantity. A quantity finer than the value's precision is first converted to
    /// the value's precision and truncated (`@2014 + 24 months` is `@2016`).
    func adding(_ amount: FHIRDecimal, _ unit: CalendarUnit) -> FHIRPathDateTime {
        let finest: CalendarUnit =
            switch self.precision {
            case .year: .year
            case .month: .month
            case .day: .day
            case .hour: .hour
            case .minute: .minute
            case .second: .second
            case .millisecond: .millisecond
            }
        var unit = unit
        var amount = amount
        if unit == .week {
            amount = amount * FHIRDecimal(7)
            unit = .day
        }
        if unit > finest, !(self.isTime) {
            // Convert to the value's precision: fixed durations via milliseconds, then days to months/years.
            let milliseconds = (amount * FHIRDecimal(unit.milliseconds ?? 1))
            if let target = finest.milliseconds {
                amount = milliseconds.divided(by: FHIRDecimal(target)) ?? amount
            } else {
                let days = milliseconds.divided(by: FHIRDecimal(86_400_000)) ?? amount
                amount = days.divided(by: FHIRDecimal(finest == .year ? 365 : 30)) ?? amount
            }
            unit = finest
        }
        // The decimal part of the quantity is ignored (https://hl7.org/fhirpath/N1/#datetime-arithmetic).
        let whole = amount.truncated
        switch unit {
        case .year:
            var copy = self
            copy.year += whole.truncated.significand
            copy.clampDay()
            return copy
        case .month:
            var copy = self
            let months = copy.year * 12 + (copy.month - 1) + whole.truncated.significand
            copy.year = months >= 0 ? months / 12 : (months - 11) / 12
            copy.month = months - copy.year * 12 + 1
            copy.clampDay()
            return copy
        default:
            let milliseconds = (whole * FHIRDecimal(unit.milliseconds ?? 1)).truncated.significand
            return self.addingMilliseconds(milliseconds)
        }
    }

    private mutating func clampDay() {
        self.day = min(self.day, Self.daysInMonth(year: self.year, month: self.month))
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private func addingMilliseconds(_ delta: Int) -> FHIRPathDateTime {
        let dayMilliseconds = 86_400_000
        let timeOfDay = ((self.hour * 60 + self.minute) * 60 + self.second) * 1000 + self.millisecond
        var days = self.isTime ? 0 : FHIRInstant.daysFromCivil(year: self.year, month: self.month, day: self.day)
        var total = timeOfDay + delta
        let carry = total >= 0 ? total / dayMilliseconds : (total - dayMilliseconds + 1) / dayMilliseconds
        total -= carry * dayMilliseconds
        days += carry
        var copy = self
        if !self.isTime { (copy.year, copy.month, copy.day) = Self.civil(fromDays: days) }
        copy.hour = total / 3_600_000
        copy.minute = total / 60_000 % 60
        copy.second = total / 1000 % 60
        copy.millisecond = total % 1000
        if !copy.fraction.isEmpty { copy.fraction = String(String(copy.millisecond + 1000).dropFirst()) }
        return copy
    }

    /// Howard Hinnant's `civil_from_days`, the inverse of ``FHIRInstant/daysFromCivil(year:month:day:)``.
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
