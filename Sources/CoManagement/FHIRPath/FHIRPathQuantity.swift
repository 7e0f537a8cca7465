/// A FHIRPath `Quantity`: an exact decimal with a UCUM unit code or a calendar duration keyword.
///
/// Unit conversion covers what FHIR messages compare in practice: UCUM time units (and the calendar
/// keywords `day`, `week`, …), mass, length and volume. Other units compare only with the same unit.
public struct FHIRPathQuantity: Sendable, Hashable, CustomStringConvertible {
    public var value: FHIRDecimal
    /// A UCUM code (`mg`, `wk`, `1`) or a calendar keyword (`year`, `days`).
    public var unit: String

    public init(value: FHIRDecimal, unit: String) {
        self.value = value
        self.unit = unit
    }

    /// `4.0 'mg'`, or `1 week` for calendar keywords, as FHIRPath's `toString()` writes it.
    public var description: String {
        Self.calendarKeywords.contains(self.unit) ? "\(self.value) \(self.unit)" : "\(self.value) '\(self.unit)'"
    }

    static let calendarKeywords: Set<String> = [
        "year", "years", "month", "months", "week", "weeks", "day", "days",
        "hour", "hours", "minute", "minutes", "second", "seconds", "millisecond", "milliseconds",
    ]

    /// The value in the base unit of its dimension, and that dimension; nil for unknown units.
    /// Calendar years and months are kept apart from UCUM `a` and `mo`: they are not definite
    /// durations (https://hl7.org/fhirpath/N1/#time-valued-quantities).
    func canonical() -> (value: FHIRDecimal, dimension: String)? {
        guard let (factor, dimension) = Self.units[self.unit] else { return nil }
        return (self.value * factor, dimension)
    }

    private static let units: [String: (FHIRDecimal, String)] = {
        var table: [String: (FHIRDecimal, String)] = [:]
        func add(_ names: [String], _ factor: String, _ dimension: String) {
            for name in names { table[name] = (FHIRDecimal(factor) ?? FHIRDecimal(1), dimension) }
        }
        add(["ms", "millisecond", "milliseconds"], "0.001", "s")
        add(["s", "second", "seconds"], "1", "s")
        add(["min", "minute", "minutes"], "60", "s")
        add(["h", "hour", "hours"], "3600", "s")
        add(["d", "day", "days"], "86400", "s")
        add(["wk", "week", "weeks"], "604800", "s")
        add(["mo"], "2629800", "s")
        add(["a"], "31557600", "s")
        add(["month", "months"], "1", "calendar-month")
        add(["year", "years"], "12", "calendar-month")
        add(["ug"], "0.000001", "g")
        add(["mg"], "0.001", "g")
        add(["g"], "1", "g")
        add(["kg"], "1000", "g")
        add(["[lb_av]"], "453.59237", "g")
        add(["mm"], "0.001", "m")
        add(["cm"], "0.01", "m")
        add(["m"], "1", "m")
        add(["km"], "1000", "m")
        add(["[in_i]"], "0.0254", "m")
        add(["[ft_i]"], "0.3048", "m")
        add(["mL"], "0.001", "L")
        add(["dL"], "0.1", "L")
        add(["L"], "1", "L")
        add(["1"], "1", "1")
        return table
    }()

    /// Both values in a common unit, or nil when the units cannot be compared.
    static func commonValues(_ lhs: FHIRPathQuantity, _ rhs: FHIRPathQuantity) -> (FHIRDecimal, FHIRDecimal)? {
        if lhs.unit == rhs.unit { return (lhs.value, rhs.value) }
        guard let left = lhs.canonical(), let right = rhs.canonical(), left.dimension == right.dimension else {
            return nil
        }
        return (left.value, right.value)
    }

    /// Whether this unit is time-valued (usable in date arithmetic).
    var calendarUnit: FHIRPathDateTime.CalendarUnit? { FHIRPathDateTime.CalendarUnit(unit: self.unit) }
}
